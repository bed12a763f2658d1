/**
 * `npm run bench:api`: requests per second and p99 latency of the api under concurrent load, for
 * touch capture and for `payment.succeeded`, against bare Express routes on the same machine, in
 * the same run, with the same HTTP load generator (autocannon):
 *
 * - `bare noop`: `express.json()` and `res.json()`: what Node and Express cost, nothing else;
 * - `bare insert`: the same plus ONE single-row INSERT through Sequelize: the least a touch
 *   capture can do (parse a body, store one row, answer);
 * - `touch capture`: `POST /v1/touches` on the real api (API key, zod validation, request logging,
 *   metrics, the attribution lib's insert);
 * - `payment.succeeded`: `POST /v1/events/payment-succeeded` for referred subscribers (attribution
 *   at conversion time, the pinned program's rules, the ledger grant for both roles, the SALE
 *   report's outbox row and the stored answer: ONE transaction in libs/rewarding; the api never
 *   waits for Temporal, the worker's relay starts the workflow afterwards).
 * - `payment + card fp`: the same payments carrying `paymentMethod: { type: 'card', fingerprint }`,
 *   a new card each (issue 16, Kilo rules 176-184): the HMAC, the atomic claim INSERT and the
 *   recorded use ride in the same transaction. Each payment workload has its own half of the
 *   referred subscribers, so both do the same work apart from the guard.
 *
 * Goals: payment.succeeded with fingerprints costs <= 10% more than without (issue 16: its
 * throughput >= 1 / 1.1 of the plain payments' in the same run); payment.succeeded >= 0.2x the bare insert route's throughput with p99 <= 150 ms (issue 12);
 * touch capture >= 0.5x the bare route's throughput, read strictly: against the bare NO-OP
 * route (the issue's "bare Express route"), and printed against the bare insert route as well.
 * Touch capture gets there through grouping (libs/attribution group-batches.ts): touches that
 * arrive together share one program SELECT, one INSERT and one commit, which the bare insert route
 * does not do. On a 2-core machine it measures 0.78-0.93x the bare insert route and 0.40-0.49x
 * the no-op route (2026-12-03): the strict reading is not met there.
 *
 * Both servers run as child processes started the same way (`node --import tsx`), the load
 * generator in this process. Workloads alternate in rounds so that noise lands on all of them.
 * PostgreSQL and Temporal come from DATABASE_URL / TEMPORAL_ADDRESS when set, otherwise the
 * dev-stack launcher starts them (and stops them); a fresh database is created and dropped.
 *
 * BENCH_API_SECONDS (default 5) per round and workload, BENCH_API_ROUNDS (default 2),
 * BENCH_API_CONNECTIONS (default 32), BENCH_API_LOG_LEVEL (default warn: the api's per-request
 * info line is a cost worth knowing, try `info`). Timings are printed, never asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import pg from 'pg';
import { exitOnConfigError, parseEnv } from '@referrals/config';
import { createSequelize, redactDatabaseUrl, withDatabase } from '@referrals/db';
import { loadProductRegistry } from '@referrals/products';
import { examplePrograms } from '@referrals/rule-dsl';
// The dev-stack's package entry (the lint rule refuses relative paths into another project).
import { startDevStack, stackEnvSchema, type DevStack } from '@referrals/dev-stack';

const ROOT = path.resolve(__dirname, '../../..');
const SECONDS = Number(process.env['BENCH_API_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_API_ROUNDS'] ?? 2);
const CONNECTIONS = Number(process.env['BENCH_API_CONNECTIONS'] ?? 32);
const LOG_LEVEL = process.env['BENCH_API_LOG_LEVEL'] ?? 'warn';
const GOAL_RATIO = 0.5;
const PAYMENT_GOAL_RATIO = 0.2;
const PAYMENT_GOAL_P99_MS = 150;
/** Issue 16: fingerprints may cost at most 10% more per payment. */
const FINGERPRINT_GOAL_EXTRA_COST = 0.1;
const KEYS = {
  storefront: 'bench-storefront-key-0123456789abcdef',
  billing: 'bench-billing-key-0123456789abcdef0',
  admin: 'bench-admin-key-0123456789abcdef012',
};

// ---------------------------------------------------------------------------------------------
// The bare server: this same file, run as a child with --bare-server.

async function bareServer(): Promise<void> {
  const sequelize = createSequelize({ databaseUrl: process.env['DATABASE_URL'] ?? '' });
  const app = express();
  app.use(express.json({ limit: '100kb' }));
  app.post('/bare/noop', (req, res) => {
    res.status(201).json({ ok: true, kind: (req.body as { kind?: string } | undefined)?.kind ?? null });
  });
  app.post('/bare/insert', async (req, res) => {
    const body = req.body as { anonymousId?: string; product?: string };
    const [rows] = await sequelize.query('INSERT INTO bench_bare_touches (anonymous_id, product, payload) VALUES ($1, $2, $3::jsonb) RETURNING id', {
      bind: [body.anonymousId ?? null, body.product ?? null, JSON.stringify(body)],
    });
    res.status(201).json({ id: String((rows as { id: string }[])[0]?.id) });
  });
  const port = Number(process.env['BARE_PORT']);
  app.listen(port, '127.0.0.1', () => process.stdout.write(`bare server on ${port}\n`));
  process.on('SIGTERM', () => void sequelize.close().then(() => process.exit(0)));
}

// ---------------------------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function spawnNode(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
  return child;
}

async function waitForUrl(url: string, timeoutMs = 60_000, init?: RequestInit): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, init);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function onServer<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function call(base: string, method: string, route: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

interface Measured {
  rps: number;
  p99: number;
  p50: number;
  non2xx: number;
  errors: number;
}

function load(url: string, headers: Record<string, string>, body: () => unknown, seconds: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections: CONNECTIONS,
        duration: seconds,
        headers: { 'content-type': 'application/json', ...headers },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) }],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({ rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50, non2xx: result.non2xx, errors: result.errors });
      },
    );
    instance.on('error', reject);
  });
}

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv(stackEnvSchema, process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const stack: DevStack = await startDevStack(env, 'test');
  const databaseName = `bench_api_${Date.now().toString(36)}`;
  const children: ChildProcess[] = [];
  try {
    await onServer(stack.databaseUrl, (c) => c.query(`CREATE DATABASE "${databaseName}"`));
    const databaseUrl = withDatabase(stack.databaseUrl, databaseName);
    // The api's own migration command, as `npm start` runs it (tools may not import apps).
    const migrate = spawnNode('migrate', ['apps/api/src/migrate.main.ts'], { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl });
    const migrated = await new Promise<number | null>((resolve) => migrate.on('exit', resolve));
    if (migrated !== 0) throw new Error(`migrations failed (exit ${migrated})`);
    const sequelize = createSequelize({ databaseUrl });
    await sequelize.query(
      'CREATE TABLE bench_bare_touches (id bigserial PRIMARY KEY, anonymous_id text, product text, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    await sequelize.close();

    const apiPort = await freePort();
    const barePort = await freePort();
    const childEnv = {
      PATH: process.env['PATH'] ?? '',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: stack.temporalNamespace,
      // No worker serves this queue: the SALE reports wait in the outbox (no relay runs here).
      TEMPORAL_TASK_QUEUE: `bench-api-${Date.now().toString(36)}`,
      API_PORT: String(apiPort),
      LOG_LEVEL,
      API_KEYS_STOREFRONT: KEYS.storefront,
      API_KEYS_BILLING: KEYS.billing,
      API_KEYS_ADMIN: KEYS.admin,
      EMAIL_HASH_SECRET: 'bench-email-hash-secret-0123456789',
      PAYMENT_INSTRUMENT_HASH_SECRET: 'bench-instrument-hash-secret-0123456789',
      BARE_PORT: String(barePort),
    };
    // BENCH_API_PROFILE_DIR: a V8 CPU profile of the api process (open it in Chrome DevTools).
    const profile = process.env['BENCH_API_PROFILE_DIR'];
    children.push(spawnNode('api', [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), 'apps/api/src/main.ts'], childEnv));
    children.push(spawnNode('bare', ['tools/bench/src/api.bench.ts', '--bare-server'], childEnv));
    const api = `http://127.0.0.1:${apiPort}`;
    const bare = `http://127.0.0.1:${barePort}`;
    await waitForUrl(`${api}/readyz`);
    await waitForUrl(`${bare}/bare/noop`, 60_000, { method: 'POST' });

    // The example program's product and its tier_49 list price, from the products file (PRODUCTS_FILE).
    const PRODUCT = examplePrograms.kiloPass.product;
    const TIER = 'tier_49';
    const listPrice = loadProductRegistry().monthlyPriceOf(PRODUCT, TIER);
    if (!listPrice) throw new Error(`the products file has no ${PRODUCT} ${TIER} price`);

    // Referred subscribers for the payment workload: a code, a touch and a signup each.
    const run = Date.now().toString(36);
    await call(api, 'POST', '/v1/admin/programs', KEYS.admin, { document: examplePrograms.kiloPass, author: 'bench', changeNote: 'bench' });
    const subscribers = Array.from({ length: Number(process.env['BENCH_API_SUBSCRIBERS'] ?? 8000) }, (_, i) => `bench-${run}-${i}`);
    console.log(`api bench: preparing ${subscribers.length} referred subscribers…`);
    await pool(subscribers, 16, async (user) => {
      const code = `C${user.replace(/[^a-z0-9]/gi, '')}`.toUpperCase();
      await call(api, 'POST', '/v1/referral-codes', KEYS.storefront, { programKey: 'kilo-pass-referrals', code, userId: `${user}-referrer` });
      await call(api, 'POST', '/v1/touches', KEYS.storefront, { kind: 'referral', anonymousId: `${user}-anon`, product: PRODUCT, referralCode: code });
      await call(api, 'POST', '/v1/signups', KEYS.storefront, { product: PRODUCT, userId: user, anonymousId: `${user}-anon`, email: `${user}@example.com` });
    });

    let touchSeq = 0;
    const touch = () => ({
      kind: 'referral',
      anonymousId: `anon-${run}-${touchSeq++}`,
      product: PRODUCT,
      // A `_saasquatch` touch names its program, or it is kept for diagnostics only [35].
      programKey: 'kilo-pass-referrals',
      saasquatchCookie: `eyJhcHAucmVmZXJyYWxzYWFzcXVhdGNoLmNvbSI6e319-${touchSeq}`,
      metadata: { rsCode: 'BENCHCODE', rsShareMedium: 'EMAIL', utm: { source: 'newsletter', campaign: 'spring' } },
      landingPath: '/pricing?utm_source=newsletter',
    });
    // Each payment workload pays for its own half of the referred subscribers (even / odd).
    const pools = { plain: subscribers.filter((_, i) => i % 2 === 0), card: subscribers.filter((_, i) => i % 2 === 1) };
    const paid = { plain: 0, card: 0 };
    const payment = (kind: 'plain' | 'card') => () => {
      const i = paid[kind]++;
      const now = new Date().toISOString();
      return {
        provider: 'stripe',
        sourcePaymentId: `in_${run}_${kind}_${i}`,
        product: PRODUCT,
        // Referred subscribers first; once they are used up, payments of users nobody referred.
        userId: pools[kind][i] ?? `organic-${run}-${kind}-${i}`,
        paidAt: now,
        amount: { minor: listPrice.minor, currency: listPrice.currency },
        sequence: 1,
        subscription: { tier: TIER, interval: 'monthly', kind: 'personal', startedAt: now },
        // A new card each: every payment claims (the most the guard writes).
        ...(kind === 'card' ? { paymentMethod: { type: 'card', fingerprint: `fp_${run}_${i}` } } : {}),
      };
    };

    const workloads = {
      'bare noop': (seconds: number) => load(`${bare}/bare/noop`, {}, touch, seconds),
      'bare insert': (seconds: number) => load(`${bare}/bare/insert`, {}, touch, seconds),
      'touch capture': (seconds: number) => load(`${api}/v1/touches`, { authorization: `Bearer ${KEYS.storefront}` }, touch, seconds),
      'payment.succeeded': (seconds: number) => load(`${api}/v1/events/payment-succeeded`, { authorization: `Bearer ${KEYS.billing}` }, payment('plain'), seconds),
      'payment + card fp': (seconds: number) => load(`${api}/v1/events/payment-succeeded`, { authorization: `Bearer ${KEYS.billing}` }, payment('card'), seconds),
    } as const;
    type Name = keyof typeof workloads;

    // Warm-up: JIT, pools, prepared plans (not counted). Payments are not warmed: their referred users are finite.
    for (const name of ['bare noop', 'bare insert', 'touch capture'] as const) await workloads[name](1);

    console.log(`PostgreSQL ${redactDatabaseUrl(databaseUrl)} (${stack.started.postgres ? 'embedded' : 'DATABASE_URL'}), Temporal ${stack.temporalAddress}`);
    console.log(`${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s per workload, api LOG_LEVEL=${LOG_LEVEL}`);
    const results: Record<Name, Measured[]> = { 'bare noop': [], 'bare insert': [], 'touch capture': [], 'payment.succeeded': [], 'payment + card fp': [] };
    // BENCH_API_WORKLOADS: a comma-separated subset (the bare routes always run: they are the baseline).
    const only = process.env['BENCH_API_WORKLOADS']?.split(',').map((w) => w.trim());
    const chosen = (Object.keys(workloads) as Name[]).filter((name) => !only || name.startsWith('bare') || only.includes(name));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of chosen) {
        const measured = await workloads[name](SECONDS);
        results[name].push(measured);
        console.log(
          `  round ${round} ${name.padEnd(18)} ${measured.rps.toFixed(0).padStart(7)} req/s   p50 ${String(measured.p50).padStart(4)} ms   p99 ${String(measured.p99).padStart(4)} ms` +
            (measured.non2xx || measured.errors ? `   (${measured.non2xx} non-2xx, ${measured.errors} errors)` : ''),
        );
      }
    }

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const summary = Object.fromEntries(
      (Object.keys(results) as Name[]).map((name) => [name, { rps: mean(results[name].map((m) => m.rps)), p99: Math.max(...results[name].map((m) => m.p99)) }]),
    ) as Record<Name, { rps: number; p99: number }>;
    console.log('');
    console.log('workload             req/s    p99 ms (worst round)');
    for (const name of Object.keys(summary) as Name[]) {
      console.log(`${name.padEnd(18)} ${summary[name].rps.toFixed(0).padStart(7)}   ${String(summary[name].p99).padStart(6)}`);
    }
    // Ratios only for the workloads that ran (BENCH_API_WORKLOADS may pick a subset).
    const ran = (name: Name) => results[name].length > 0;
    console.log('');
    if (ran('touch capture')) {
      const touchVsNoop = summary['touch capture'].rps / summary['bare noop'].rps;
      const touchVsInsert = summary['touch capture'].rps / summary['bare insert'].rps;
      console.log(`touch capture / bare noop route:       ${touchVsNoop.toFixed(2)}x (goal >= ${GOAL_RATIO}x: ${touchVsNoop >= GOAL_RATIO ? 'met' : 'NOT met'})`);
      console.log(`touch capture / bare insert route:     ${touchVsInsert.toFixed(2)}x (goal >= ${GOAL_RATIO}x: ${touchVsInsert >= GOAL_RATIO ? 'met' : 'NOT met'})`);
    }
    if (ran('payment.succeeded')) {
      const paymentVsInsert = summary['payment.succeeded'].rps / summary['bare insert'].rps;
      const paymentP99 = summary['payment.succeeded'].p99;
      console.log(`payment.succeeded / bare insert route: ${paymentVsInsert.toFixed(2)}x (goal >= ${PAYMENT_GOAL_RATIO}x: ${paymentVsInsert >= PAYMENT_GOAL_RATIO ? 'met' : 'NOT met'})`);
      console.log(`payment.succeeded p99 (worst round):   ${paymentP99} ms (goal <= ${PAYMENT_GOAL_P99_MS} ms: ${paymentP99 <= PAYMENT_GOAL_P99_MS ? 'met' : 'NOT met'})`);
      // Little's law: with CONNECTIONS requests always in flight, the mean latency is CONNECTIONS /
      // throughput, and p99 cannot be below the mean. So the p99 goal is first a throughput goal.
      const neededRps = CONNECTIONS / (PAYMENT_GOAL_P99_MS / 1000);
      console.log(
        `  (${CONNECTIONS} connections always busy: mean latency = ${CONNECTIONS} / throughput = ${((CONNECTIONS / summary['payment.succeeded'].rps) * 1000).toFixed(0)} ms now; ` +
          `a p99 <= ${PAYMENT_GOAL_P99_MS} ms needs at least ${neededRps.toFixed(0)} payments/s)`,
      );
    }
    if (ran('payment + card fp') && ran('payment.succeeded')) {
      const fingerprintRatio = summary['payment + card fp'].rps / summary['payment.succeeded'].rps;
      const extraCost = 1 / fingerprintRatio - 1;
      console.log(
        `payment + card fp / payment.succeeded: ${fingerprintRatio.toFixed(2)}x throughput, ${(extraCost * 100).toFixed(1)}% more cost per payment ` +
          `(goal <= ${FINGERPRINT_GOAL_EXTRA_COST * 100}%: ${extraCost <= FINGERPRINT_GOAL_EXTRA_COST ? 'met' : 'NOT met'})`,
      );
    }
    for (const kind of ['plain', 'card'] as const) {
      console.log(`${kind} payments on referred subscribers: ${Math.min(paid[kind], pools[kind].length)} of ${paid[kind]} (the rest had nobody to attribute)`);
      // A payment nobody referred decides nothing and grants nothing: counting it flatters the figure.
      if (paid[kind] > pools[kind].length) {
        console.log(`  WARNING: the ${kind} payment workload ran out of referred subscribers; its req/s and p99 are flattered (raise BENCH_API_SUBSCRIBERS)`);
      }
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    await onServer(stack.databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).catch((e: unknown) =>
      console.error(`could not drop ${databaseName}: ${String(e)}`),
    );
    await stack.stop();
  }
}

if (process.argv.includes('--bare-server')) {
  bareServer().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
