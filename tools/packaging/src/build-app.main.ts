/**
 * `nx build api` / `nx build worker` (issue 19 item 6): the app's entry points bundled by esbuild to
 * plain JavaScript in `apps/<app>/dist`, so the production image runs `node apps/api/dist/main.js`
 * without TypeScript tooling.
 *
 * - The workspace libs (`@referrals/*`, resolved through tsconfig paths to their sources) are
 *   bundled in; third-party packages stay `require`s of node_modules (native Temporal core,
 *   pino's worker threads, pg), installed in the image with `npm ci --omit=dev`.
 * - Sources that locate files relative to themselves (`__dirname`: the products file, the admin
 *   console's build) keep their meaning: `__dirname` becomes the source file's folder, expressed
 *   relative to the bundle. The image keeps the repository's layout for those files.
 */
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';

const ROOT = path.resolve(__dirname, '../../..');

const ENTRY_POINTS: Record<string, Record<string, string>> = {
  api: { main: 'apps/api/src/main.ts', migrate: 'apps/api/src/migrate.main.ts' },
  worker: { main: 'apps/worker/src/main.ts' },
};

/** Every bare import but the workspace's own packages stays external (node_modules at run time). */
const externalThirdParty: Plugin = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@referrals/') ? undefined : { path: args.path, external: true }));
  },
};

function sourceRelativeDirname(outdir: string): Plugin {
  return {
    name: 'source-relative-dirname',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('__dirname')) return undefined;
        const relative = path.relative(outdir, path.dirname(args.path)).split(path.sep).join('/');
        return { contents: source.replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${JSON.stringify(relative)})`), loader: 'ts' };
      });
    },
  };
}

async function main(): Promise<void> {
  const app = process.argv[2] ?? '';
  const entries = ENTRY_POINTS[app];
  if (!entries) throw new Error(`usage: build-app <${Object.keys(ENTRY_POINTS).join('|')}>`);
  const outdir = path.join(ROOT, 'apps', app, 'dist');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(ROOT, file)])),
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    // Error class names show in logs and error codes; keep them.
    keepNames: true,
    logLevel: 'warning',
    metafile: true,
    plugins: [externalThirdParty, sourceRelativeDirname(outdir)],
  });
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.js')) console.log(`${file}: ${(output.bytes / 1024).toFixed(0)} kB`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
