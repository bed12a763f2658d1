/**
 * `npm run bench:ledger`: whole qualifying events per second with 8 concurrent clients, against a
 * baseline of bare single-row INSERT transactions with 8 clients, in the same run, on the same
 * database, through the same Sequelize pool. A qualifying event is `recordQualifyingEvent` of
 * libs/rewarding: ONE transaction holding the conversion (attribution), the decision (the pinned
 * program's rules, first-event rule), the grant (both roles, referrer cap, audit rows, double
 * entries, deferred balance checks), the SALE report's outbox row and the stored answer.
 * Goal (issue 12): ratio >= 0.25. The ledger grant alone is printed too.
 *
 * The two workloads alternate in rounds (grants, inserts, grants, inserts, ...) so that noise from
 * other work on the machine lands on both. A fresh database is created, migrated, measured,
 * checked with verifyLedger, and dropped. PostgreSQL comes from DATABASE_URL when set, otherwise
 * an embedded one is started (and stopped) by the dev-stack launcher.
 *
 * BENCH_LEDGER_MS sets the measuring time per round and workload (default 3000 ms), and
 * BENCH_LEDGER_ROUNDS the number of rounds (default 3). Beside the rates it prints what one
 * operation of each workload costs (cost-probe.ts): this process's CPU, the PostgreSQL backends'
 * CPU (when the server runs on this machine), statements sent and WAL written; and the goal as a
 * CPU budget for one event. Timings are printed, never asserted.
 */
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { exitOnConfigError, parseEnv } from '@referrals/config';
import { createSequelize, migrateUp, redactDatabaseUrl, withDatabase } from '@referrals/db';
import { createAttribution, attributionMigrations, type Attribution } from '@referrals/attribution';
import { dbMigrations } from '@referrals/db';
import { grantRewards, ledgerMigrations, verifyLedger, type GrantRewardsInput } from '@referrals/ledger';
import { impactSyncMigrations } from '@referrals/impact-sync';
import { outboxMigrations } from '@referrals/outbox';
import { loadProductRegistry } from '@referrals/products';
import { createProgramStore, programsMigrations } from '@referrals/programs';
import { recordQualifyingEvent, referralFacts, rewardingMigrations, type RewardingDeps } from '@referrals/rewarding';
import { examplePrograms } from '@referrals/rule-dsl';
// The dev-stack's package entry (the lint rule refuses relative paths into another project).
import { startDevStack, stackEnvSchema, type DevStack } from '@referrals/dev-stack';
import { createCostProbe, type CostProbe, type OperationCost } from './cost-probe';

const CLIENTS = 8;
const MEASURE_MS = Number(process.env['BENCH_LEDGER_MS'] ?? 3000);
const ROUNDS = Number(process.env['BENCH_LEDGER_ROUNDS'] ?? 3);
const WARMUP_MS = Math.min(1000, MEASURE_MS / 3);
const GOAL_RATIO = 0.25;

const EARNED_AT = new Date('2026-01-15T10:00:00.000Z');
const EXPIRES_AT = new Date('2027-01-15T10:00:00.000Z');

let sequence = 0;

/** One qualifying Kilo Pass conversion: both roles earn half of tier_49, the referrer is capped. */
function conversion(client: number): GrantRewardsInput {
  sequence += 1;
  const outcome = {
    decision: 'grant' as const,
    kind: 'fixed' as const,
    amountMinor: 2450,
    unit: 'USD',
    initialStatus: 'pending' as const,
    expiresAt: EXPIRES_AT,
    reason: 'first paid monthly tier_49 payment',
  };
  return {
    programKey: 'kilo-pass',
    programVersion: 1,
    product: 'kilo_pass',
    conversionId: `bench-pay-${sequence}`,
    referralId: `bench-referral-${sequence}`,
    // One referrer per client: every grant takes a cap slot (the counter row is locked and
    // incremented) without the clients queueing on one referrer's row.
    referrerId: `bench-referrer-${client}`,
    refereeId: `bench-referee-${sequence}`,
    earnedAt: EARNED_AT,
    referrerCap: 1_000_000_000,
    outcomes: [
      { role: 'referrer', ...outcome },
      { role: 'referee', ...outcome },
    ],
    actor: 'bench',
  };
}

async function grantOnce(sequelize: Sequelize, client: number): Promise<void> {
  const result = await grantRewards(sequelize, conversion(client));
  if (result.rewards.some((r) => r.status !== 'pending')) throw new Error('bench grant was not granted');
}

interface EventBench {
  deps: RewardingDeps;
  referees: string[];
  used: number;
  referred: number;
}

/** A program, one referrer per client and `count` referred subscribers (touch + signup each). */
async function prepareEvents(sequelize: Sequelize, count: number): Promise<EventBench> {
  const products = loadProductRegistry();
  const programs = createProgramStore({ sequelize, catalogs: products.catalogs });
  await programs.save({ document: examplePrograms.kiloPass, author: 'bench', changeNote: 'bench' });
  // The engine's own facts of a referral (who refers whom, when), as the api sets them for program selection.
  const eligibilityFacts = (request: { product: string; referrerUserId: string | null; refereeUserId: string; signedUpAt: Date }) => {
    const catalog = products.catalogs.get(request.product);
    return catalog ? referralFacts(catalog, {}, { ...request, createdAt: request.signedUpAt }) : {};
  };
  const attribution: Attribution = createAttribution({ sequelize, programs, eligibilityFacts, emailHashSecret: 'bench-email-hash-secret-0123456789' });
  const run = Date.now().toString(36);
  // Many referrers: the example program caps a referrer at 5 rewards, and a capped grant is cheaper.
  const referees = Array.from({ length: count }, (_, i) => `bench-${run}-referee-${i}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < referees.length) {
        const i = next++;
        const code = `B${run}R${i}`.toUpperCase();
        await attribution.registerReferralCode({ programKey: examplePrograms.kiloPass.key, code, userId: `bench-${run}-referrer-${i}` });
        await attribution.captureTouch({ kind: 'referral', anonymousId: `bench-${run}-anon-${i}`, product: 'kilo_pass', referralCode: code });
        const signup = await attribution.recordSignup({ product: 'kilo_pass', userId: referees[i] ?? '', anonymousId: `bench-${run}-anon-${i}`, email: `r${i}-${run}@example.com` });
        if (signup.referral?.status !== 'qualified') throw new Error(`bench referral ${i} did not qualify: ${JSON.stringify(signup.referral)}`);
      }
    }),
  );
  return { deps: { sequelize, programs, attribution, products, paymentInstrumentHashSecret: 'bench-instrument-hash-secret-0123456789' }, referees, used: 0, referred: 0 };
}

let paymentSequence = 0;
async function eventOnce(bench: EventBench): Promise<void> {
  const referee = bench.referees[bench.used++];
  if (referee) bench.referred += 1;
  const now = new Date().toISOString();
  const { answer } = await recordQualifyingEvent(bench.deps, {
    type: 'payment.succeeded',
    provider: 'stripe',
    sourcePaymentId: `in_bench_${++paymentSequence}`,
    product: 'kilo_pass',
    userId: referee ?? `bench-organic-${paymentSequence}`,
    paidAt: now,
    amount: { minor: 4900, currency: 'USD' },
    sequence: 1,
    subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: now },
  });
  if (referee && answer.decision.code !== 'rewarded') throw new Error(`bench event of ${referee} was not rewarded: ${answer.decision.code}`);
}

async function insertOnce(sequelize: Sequelize, client: number): Promise<void> {
  await sequelize.transaction(async (t) => {
    await sequelize.query('INSERT INTO bench_bare_inserts (client, payload) VALUES ($1, $2)', {
      bind: [client, `payload-${client}-${Date.now()}`],
      transaction: t,
    });
  });
}

interface Measured {
  rate: number;
  operations: number;
  cost: OperationCost;
}

/** Runs `work` in CLIENTS concurrent loops for `ms`: operations per second and the cost of one. */
async function measure(
  ms: number,
  sequelize: Sequelize,
  probe: CostProbe,
  work: (sequelize: Sequelize, client: number) => Promise<void>,
): Promise<Measured> {
  await probe.start();
  const deadline = Date.now() + ms;
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let done = 0;
      while (Date.now() < deadline) {
        await work(sequelize, client);
        done += 1;
      }
      return done;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const operations = counts.reduce((a, b) => a + b, 0);
  return { rate: operations / seconds, operations, cost: await probe.stop(operations) };
}

/** The cost of one operation over all rounds (weighted by the operations of each). */
function meanCost(rounds: readonly Measured[]): OperationCost {
  const operations = rounds.reduce((a, r) => a + r.operations, 0);
  const mean = (pick: (c: OperationCost) => number) => rounds.reduce((a, r) => a + pick(r.cost) * r.operations, 0) / Math.max(operations, 1);
  const postgres = rounds.every((r) => r.cost.postgresCpuUs !== null);
  return {
    nodeCpuUs: mean((c) => c.nodeCpuUs),
    postgresCpuUs: postgres ? mean((c) => c.postgresCpuUs ?? 0) : null,
    statements: mean((c) => c.statements),
    walBytes: mean((c) => c.walBytes),
  };
}

function costLine(name: string, cost: OperationCost): string {
  const postgres = cost.postgresCpuUs === null ? '      n/a' : `${cost.postgresCpuUs.toFixed(0).padStart(6)} µs`;
  return `  ${name.padEnd(20)} ${cost.nodeCpuUs.toFixed(0).padStart(6)} µs  ${postgres}  ${cost.statements.toFixed(1).padStart(10)}  ${cost.walBytes.toFixed(0).padStart(9)}`;
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

function fmt(n: number): string {
  return n.toFixed(0).padStart(7);
}

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv(stackEnvSchema, process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const stack: DevStack = await startDevStack(env, 'test', { withTemporal: false });
  const databaseName = `bench_ledger_${Date.now().toString(36)}`;
  let sequelize: Sequelize | undefined;
  try {
    await onServer(stack.databaseUrl, (c) => c.query(`CREATE DATABASE "${databaseName}"`));
    const databaseUrl = withDatabase(stack.databaseUrl, databaseName);
    sequelize = createSequelize({ databaseUrl, poolMax: CLIENTS });
    await migrateUp(sequelize, [dbMigrations, ledgerMigrations, programsMigrations, attributionMigrations, impactSyncMigrations, outboxMigrations, rewardingMigrations]);
    await sequelize.query(
      'CREATE TABLE bench_bare_inserts (id bigserial PRIMARY KEY, client int NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
    );
    const [settings] = await sequelize.query<{ version: string; fsync: string; synchronous_commit: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit",
      { type: QueryTypes.SELECT },
    );
    console.log(`ledger bench on ${redactDatabaseUrl(databaseUrl)} (${stack.started.postgres ? 'embedded' : 'DATABASE_URL'})`);
    console.log(
      `PostgreSQL ${settings?.version}, fsync=${settings?.fsync}, synchronous_commit=${settings?.synchronous_commit}; ` +
        `${CLIENTS} clients, ${ROUNDS} rounds x ${MEASURE_MS} ms per workload`,
    );

    const subscribers = Number(process.env['BENCH_LEDGER_SUBSCRIBERS'] ?? 4000);
    console.log(`preparing ${subscribers} referred subscribers…`);
    const bench = await prepareEvents(sequelize, subscribers);
    const eventWork = () => eventOnce(bench);

    const probe = await createCostProbe(databaseUrl);
    await measure(WARMUP_MS, sequelize, probe, eventWork);
    await measure(WARMUP_MS, sequelize, probe, grantOnce);
    await measure(WARMUP_MS, sequelize, probe, insertOnce);

    const events: Measured[] = [];
    const grants: Measured[] = [];
    const inserts: Measured[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      events.push(await measure(MEASURE_MS, sequelize, probe, eventWork));
      grants.push(await measure(MEASURE_MS, sequelize, probe, grantOnce));
      inserts.push(await measure(MEASURE_MS, sequelize, probe, insertOnce));
      const rate = (xs: Measured[]) => fmt(xs.at(-1)?.rate ?? 0);
      console.log(`  round ${round}: qualifying events/s ${rate(events)}   grants/s ${rate(grants)}   bare inserts/s ${rate(inserts)}`);
    }
    await probe.close();
    const mean = (xs: Measured[]) => xs.reduce((a, b) => a + b.rate, 0) / xs.length;
    const eventRate = mean(events);
    const grantRate = mean(grants);
    const insertRate = mean(inserts);
    const ratio = eventRate / insertRate;

    const violations = await verifyLedger(sequelize);
    console.log('');
    console.log(`qualifying events/s (conversion, decision, grant, outbox, answer), ${CLIENTS} clients: ${fmt(eventRate)}`);
    console.log(`ledger grants alone/s (both roles, cap, audit, entries), ${CLIENTS} clients:        ${fmt(grantRate)}`);
    console.log(`bare single-row INSERT transactions/s, ${CLIENTS} clients:                         ${fmt(insertRate)}`);
    console.log(`events on referred subscribers: ${bench.referred} of ${bench.used} (the rest had nobody to attribute)`);
    console.log(`ratio qualifying events / bare inserts: ${ratio.toFixed(3)} (goal >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : 'NOT met'})`);
    console.log(`ratio grants alone / bare inserts:      ${(grantRate / insertRate).toFixed(3)}`);
    console.log(`verifyLedger after the run: ${violations.length === 0 ? 'sound' : `${violations.length} violations`}`);
    const eventCost = meanCost(events);
    const insertCost = meanCost(inserts);
    console.log('');
    console.log('cost of one operation (all rounds)   node CPU  PostgreSQL CPU  statements  WAL bytes');
    console.log(costLine('qualifying event', eventCost));
    console.log(costLine('ledger grant alone', meanCost(grants)));
    console.log(costLine('bare insert', insertCost));
    if (eventCost.postgresCpuUs !== null && insertCost.postgresCpuUs !== null) {
      // Both workloads keep the machine's cores busy, so their rates go as the inverse of their CPU
      // per operation: the goal ratio is a CPU budget for the whole event.
      const insertCpu = insertCost.nodeCpuUs + insertCost.postgresCpuUs;
      const eventCpu = eventCost.nodeCpuUs + eventCost.postgresCpuUs;
      console.log(
        `CPU per qualifying event ${eventCpu.toFixed(0)} µs (node and PostgreSQL); the goal allows about ${(insertCpu / GOAL_RATIO).toFixed(0)} µs ` +
          `(${GOAL_RATIO}x the bare insert's ${insertCpu.toFixed(0)} µs) on this machine`,
      );
    }
    if (violations.length > 0) {
      console.log(violations.slice(0, 5));
      process.exitCode = 1;
    }
  } finally {
    await sequelize?.close();
    await onServer(stack.databaseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).catch((e: unknown) =>
      console.error(`could not drop ${databaseName}: ${String(e)}`),
    );
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
