import fs from 'node:fs';
import path from 'node:path';
import { spawnTracked } from './child-processes';

/**
 * What goes into the admin console's bundle: its page, Vite config and sources, and the rule-dsl
 * sources Vite aliases in (apps/admin/vite.config.mts). Specs and browser tests do not.
 */
const SOURCE_ROOTS = ['apps/admin/index.html', 'apps/admin/vite.config.mts', 'apps/admin/src', 'libs/rule-dsl/src'];
const NOT_IN_BUNDLE = /(\.spec\.tsx?$|\/e2e\/|\/spec\/|\/testing\/)/;

export const ADMIN_DIST_INDEX = 'apps/admin/dist/index.html';

function newestMtimeMs(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return NOT_IN_BUNDLE.test(file) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(file)) newest = Math.max(newest, newestMtimeMs(path.join(file, entry)));
  return newest;
}

/** Why the console needs a build (`missing`, `stale`), or null when apps/admin/dist is current. */
export function adminBuildNeeded(root: string): 'missing' | 'stale' | null {
  const built = fs.statSync(path.join(root, ADMIN_DIST_INDEX), { throwIfNoEntry: false });
  if (!built) return 'missing';
  const newestSource = Math.max(...SOURCE_ROOTS.map((source) => newestMtimeMs(path.join(root, source))));
  return newestSource > built.mtimeMs ? 'stale' : null;
}

/** `vite build -c apps/admin/vite.config.mts` (the `admin:build` target), with prefixed output; resolves its exit code. */
export function buildAdminConsole(root: string, env: NodeJS.ProcessEnv): Promise<number> {
  // vite's `exports` hide bin/, but not package.json, which sits next to it.
  const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [root] })), 'bin', 'vite.js');
  return spawnTracked('admin build', process.execPath, [vite, 'build', '-c', 'apps/admin/vite.config.mts'], { cwd: root, env }).exited;
}
