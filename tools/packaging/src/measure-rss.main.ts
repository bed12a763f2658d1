/**
 * `npm run measure:rss` (issue 19 item 6): the idle memory of the api and the worker as the
 * production image runs them, on this machine: the built JavaScript (`npm run build:apps` first)
 * started with node exactly like the Dockerfile's commands (NODE_ENV=production, the prebuilt
 * workflow bundle), against the dev stack the npm script starts (PostgreSQL, Temporal). Once both
 * serve, it waits MEASURE_RSS_IDLE_SECONDS (30) and reads each process's resident set size
 * (VmRSS, Linux /proc). Goal: at most MEASURE_RSS_GOAL_MB (150) each; exits 1 above it.
 *
 * MEASURE_RSS_BASELINE=1 also measures the development commands (TypeScript through tsx, the
 * worker bundling its workflows at start) in the same run, for the comparison.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withDatabase } from '@referrals/db';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '../../..');
const API_MAIN = path.join(ROOT, 'apps/api/dist/main.js');
const API_MIGRATE = path.join(ROOT, 'apps/api/dist/migrate.js');
const WORKER_MAIN = path.join(ROOT, 'apps/worker/dist/main.js');
const WORKFLOW_BUNDLE = path.join(ROOT, 'apps/worker/dist/workflow-bundle.js');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const IDLE_SECONDS = Number(process.env['MEASURE_RSS_IDLE_SECONDS'] ?? 30);
const GOAL_MB = Number(process.env['MEASURE_RSS_GOAL_MB'] ?? 150);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The ENV of the Dockerfile's last stage (the image the commands run in): NODE_ENV, NODE_OPTIONS,
 * MALLOC_ARENA_MAX... so this measures what the image runs. Paths inside the image are replaced
 * by the local build's.
 */
function imageEnv(): Record<string, string> {
  const text = readFileSync(DOCKERFILE, 'utf8').replace(/\\\n/g, ' ');
  const lastStage = text.slice(text.lastIndexOf('\nFROM '));
  const env: Record<string, string> = {};
  for (const line of lastStage.split('\n')) {
    if (!line.startsWith('ENV ')) continue;
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, ...value] = pair.split('=');
      if (key && value.length) env[key] = value.join('=');
    }
  }
  if (!env['WORKFLOW_BUNDLE_PATH']) throw new Error('the Dockerfile sets no WORKFLOW_BUNDLE_PATH');
  return { ...env, WORKFLOW_BUNDLE_PATH: WORKFLOW_BUNDLE };
}

/** Resident set size in MB, from /proc (what `ps`/`top` and a container's memory show). */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

interface Started {
  name: string;
  child: ChildProcess;
  output: string[];
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => void output.push(chunk.toString('utf8'));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, child, output };
}

async function until(what: Started, ready: () => Promise<boolean> | boolean, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (what.child.exitCode !== null) throw new Error(`${what.name} exited (${what.child.exitCode}):\n${what.output.join('').slice(-2000)}`);
    if (await ready()) return;
    await sleep(250);
  }
  throw new Error(`${what.name} not ready after ${timeoutMs / 1000}s:\n${what.output.join('').slice(-2000)}`);
}

async function stop(what: Started): Promise<void> {
  if (what.child.exitCode !== null) return;
  const exited = new Promise((resolve) => what.child.once('exit', resolve));
  what.child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000).then(() => what.child.kill('SIGKILL'))]);
}

/** Starts an api and a worker with the given commands, waits until both serve, idles, measures. */
async function measure(label: string, api: string[], worker: string[], extraEnv: NodeJS.ProcessEnv): Promise<{ api: number; worker: number }> {
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    API_HOST: '127.0.0.1',
    API_PORT: String(port),
    EMAIL_HASH_SECRET: randomBytes(24).toString('hex'),
    PAYMENT_INSTRUMENT_HASH_SECRET: randomBytes(24).toString('hex'),
    ...extraEnv,
  };
  const processes = [start(`${label} api`, api, env), start(`${label} worker`, worker, env)];
  const [apiProcess, workerProcess] = processes as [Started, Started];
  try {
    await until(apiProcess, async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200);
    await until(workerProcess, () => workerProcess.output.join('').includes('worker serving'));
    console.log(`${label}: api and worker serving; idle ${IDLE_SECONDS}s`);
    await sleep(IDLE_SECONDS * 1000);
    return { api: rssMb(apiProcess.child.pid ?? 0), worker: rssMb(workerProcess.child.pid ?? 0) };
  } finally {
    await Promise.all(processes.map(stop));
  }
}

async function main(): Promise<number> {
  for (const file of [API_MAIN, API_MIGRATE, WORKER_MAIN, WORKFLOW_BUNDLE]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build:apps\` first`);
  }
  if (!process.env['DATABASE_URL'] || !process.env['TEMPORAL_ADDRESS']) throw new Error('run through `npm run measure:rss` (it starts the dev stack)');
  // A database of its own on the stack's server, dropped afterwards.
  const server = process.env['DATABASE_URL'];
  const database = `measure_rss_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: server });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${database}`);
  process.env['DATABASE_URL'] = withDatabase(server, database);
  try {
    return await measureAll();
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

async function measureAll(): Promise<number> {
  const migrated = spawnSync(process.execPath, [API_MIGRATE], { cwd: ROOT, stdio: 'inherit' });
  if (migrated.status !== 0) throw new Error('migrations failed');

  const rows: [string, { api: number; worker: number }][] = [];
  if (process.env['MEASURE_RSS_BASELINE'] === '1') {
    const tsx = ['--import', 'tsx'];
    rows.push(['development (tsx, bundling at start)', await measure('development', [...tsx, 'apps/api/src/main.ts'], [...tsx, 'apps/worker/src/main.ts'], { NODE_ENV: 'development' })]);
  }
  const env = imageEnv();
  console.log(`the image's environment: ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const built = await measure('image', [API_MAIN], [WORKER_MAIN], env);
  rows.push(['image command (node dist/main.js)', built]);

  console.log(`\nidle RSS after ${IDLE_SECONDS}s (goal: at most ${GOAL_MB} MB each)`);
  for (const [label, r] of rows) console.log(`  ${label.padEnd(40)} api ${r.api.toFixed(0).padStart(4)} MB   worker ${r.worker.toFixed(0).padStart(4)} MB`);
  const over = (['api', 'worker'] as const).filter((k) => built[k] > GOAL_MB);
  console.log(over.length ? `over the goal: ${over.join(', ')}` : 'within the goal');
  return over.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`measure:rss failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
