import { eventually } from '@referrals/db/testing';
import { impactConfigToEnv } from '@referrals/impact-client';
import { verifyLedger } from '@referrals/ledger';
import { listOutboxMessages } from '@referrals/outbox';
import { type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { type ApiRole } from './auth/api-keys';
import { TEST_KEYS, useApiHarness } from './testing/api-harness';
import { startApiProcess, type ApiProcess } from './testing/api-process';
import { createKiloPassProgram, kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { freePort } from './testing/own-temporal';
import { waitUntilRelayed } from './testing/relayed-workflow';
import { TcpProxy } from './testing/tcp-proxy';
import { startWorkerProcess, type WorkerProcess } from './testing/worker-process';

/** How long PostgreSQL stays unreachable (FAULTS_DB_CUT_SECONDS, default 10). */
const CUT_MS = Number(process.env['FAULTS_DB_CUT_SECONDS'] ?? '10') * 1000;
const PAYMENTS = 24;
/** Concurrent billing senders; each sends its payments one after another. */
const LANES = 4;
/** A billing client's pause between two payments, and its wait after a 503 (shorter than Retry-After, to keep the test short). */
const PAUSE_MS = 300;
const RETRY_MS = 1_000;

interface Answer {
  status: number;
  code: string | undefined;
  retryAfter: string | undefined;
}

/**
 * Issue 14 items 4 and 7: PostgreSQL becomes unreachable for ~10 s while billing keeps sending
 * payments. The api process and the worker process reach PostgreSQL through a TCP proxy the test
 * cuts (every connection dropped, new ones refused) and restores; neither process is restarted.
 * Billing retries every 503 with the same payment, as the Retry-After asks: a payment whose
 * transaction committed just before the cut is answered from its stored answer, not granted twice.
 */
describe('PostgreSQL unreachable under billing traffic, api and worker processes (issue 14 items 4 and 7)', () => {
  // The database (direct, for setup and assertions), the fake Impact, the task queue and a Temporal client.
  const harness = useApiHarness({ fakeImpact: true });
  let proxy: TcpProxy | undefined;
  let apiProcess: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    // Workflow ids derive from business ids; keep this file's reward ids away from other files'.
    await harness.db.sequelize.query(`ALTER SEQUENCE ledger_rewards_id_seq RESTART WITH ${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`);
    const target = new URL(harness.db.databaseUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.open();
    const viaProxy = new URL(harness.db.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const shared = {
      DATABASE_URL: viaProxy.toString(),
      TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS'] ?? '',
      TEMPORAL_NAMESPACE: process.env['TEMPORAL_NAMESPACE'] ?? 'default',
      TEMPORAL_TASK_QUEUE: harness.taskQueue,
      ...impactConfigToEnv(harness.fake!.clientConfig({ only: ['kilo_pass'], timeoutMs: 2_000 })),
    };
    [apiProcess, worker] = await Promise.all([
      freePort().then((port) => startApiProcess(port, shared)),
      startWorkerProcess({ ...shared, SCHEDULES_ENABLED: 'false', IMPACT_PRODUCTS: 'kilo_pass', DELIVERY_RETRY_INITIAL_INTERVAL_MS: '100', DELIVERY_RETRY_MAX_INTERVAL_MS: '500' }),
    ]);
    await createKiloPassProgram(harness);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([apiProcess?.stop(), worker?.stop()]);
    await proxy?.cut();
  }, 40_000);

  const call = (method: 'post' | 'get', path: string, role: ApiRole, body?: unknown) => {
    const test = request(apiProcess!.url)[method](path).set('authorization', `Bearer ${TEST_KEYS[role]}`);
    return body === undefined ? test : test.send(body as object);
  };
  const answerOf = (res: request.Response): Answer => ({ status: res.status, code: res.body?.error?.code, retryAfter: res.headers['retry-after'] });
  const logs = () => [apiProcess?.output() ?? '', worker?.output() ?? ''].join('\n');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it(`PostgreSQL cut for ${CUT_MS / 1000} s under billing traffic: the api answers 503 database_unavailable with Retry-After (never a 500), serves again without a restart, and each of ${PAYMENTS} payments is rewarded once and its SALE reported once`, async () => {
    const referees: string[] = [];
    for (let i = 0; i < PAYMENTS; i += 8) {
      const batch = await Promise.all(Array.from({ length: Math.min(8, PAYMENTS - i) }, (_, j) => referKiloPass(harness, `dbcut${i + j}`)));
      referees.push(...batch.map((r) => r.referee));
    }
    const invoices = referees.map((_, i) => `in_dbcut_${i}_${harness.run}`);
    const answers: Answer[] = [];
    const finals: request.Response[] = new Array(PAYMENTS);

    // Billing: LANES senders, each payment re-sent after every 503 until it is answered 200.
    const billing = Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let i = lane; i < PAYMENTS; i += LANES) {
          for (;;) {
            const res = await call('post', '/v1/events/payment-succeeded', 'billing', kiloPayment(referees[i]!, invoices[i]!));
            answers.push(answerOf(res));
            if (res.status !== 503) {
              finals[i] = res;
              break;
            }
            await sleep(RETRY_MS);
          }
          await sleep(PAUSE_MS);
        }
      }),
    );

    // The cut comes once traffic flows, and lasts CUT_MS; reads during it are refused the same way.
    await eventually(() => answers.filter((a) => a.status === 200).length >= LANES || undefined, 60_000, 'the first payments to be answered');
    await proxy!.cut();
    const cutAt = Date.now();
    await eventually(() => answers.some((a) => a.status === 503) || undefined, 30_000, 'a payment to be refused while PostgreSQL is away');
    const read = answerOf(await call('get', '/v1/admin/ops', 'admin'));
    await sleep(Math.max(0, CUT_MS - (Date.now() - cutAt)));
    await proxy!.open();
    await billing;

    // Clients saw 200 or 503, never a 500; every 503 said why and when to come back.
    expect(read).toEqual({ status: 503, code: 'database_unavailable', retryAfter: expect.stringMatching(/^\d+$/) });
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200, 503]));
    for (const refused of answers.filter((a) => a.status === 503)) expect(refused).toEqual({ status: 503, code: 'database_unavailable', retryAfter: expect.stringMatching(/^\d+$/) });
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThanOrEqual(LANES);
    // Every payment ended rewarded (a retry of one that committed before the cut replays its answer).
    for (const final of finals) expect(final.body.decision.code).toBe('rewarded');
    // No restart: the same processes serve (a read through the api answers again).
    expect([apiProcess!.running(), worker!.running()]).toEqual([true, true]);
    await call('get', '/v1/admin/ops', 'admin').expect(200);

    // Nothing doubled in the ledger: one reward per role per referee, one conversion per payment.
    const rewards = await harness.db.sequelize.query<{ role: string; n: number }>(
      'SELECT role, count(*)::int AS n FROM ledger_rewards WHERE referee_id IN (:referees) GROUP BY role ORDER BY role',
      { replacements: { referees }, type: QueryTypes.SELECT },
    );
    expect(rewards).toEqual([
      { role: 'referee', n: PAYMENTS },
      { role: 'referrer', n: PAYMENTS },
    ]);

    // Nothing lost or doubled downstream: one outbox row per payment, each relayed by the worker
    // (which lost PostgreSQL too), one SALE report per payment and one action at Impact each (a
    // submission retried after the worker lost PostgreSQL is answered with the action it created).
    const reportIds = invoices.map((invoice) => workflowIds.conversionReport(`stripe:${invoice}`));
    const reports = await Promise.all(
      reportIds.map(async (id) => {
        await waitUntilRelayed(harness.temporal, id, 60_000, logs);
        return (await harness.temporal.workflow.getHandle(id).result()) as ReportConversionResult;
      }),
    );
    for (const report of reports) expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const rows = await eventually(
      async () => {
        const all = await listOutboxMessages(harness.db.sequelize);
        return all.every((r) => r.relayedAt !== null) ? all : undefined;
      },
      60_000,
      'the worker to relay every outbox row',
    );
    expect(rows.map((r) => r.workflowId).sort()).toEqual([...reportIds].sort());
    const submitted = harness.fake!.requests({ operation: 'submitConversion' }).map((r) => (r.body as Record<string, string>)['OrderId']);
    expect([...new Set(submitted)].sort()).toEqual([...invoices].sort());
    expect(
      harness
        .fake!.actions()
        .map((a) => a.orderId)
        .sort(),
    ).toEqual([...invoices].sort());

    expect(await verifyLedger(harness.db.sequelize)).toEqual([]);
  }, 240_000);
});
