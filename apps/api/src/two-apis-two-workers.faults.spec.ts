import { eventually } from '@referrals/db/testing';
import { impactConfigToEnv } from '@referrals/impact-client';
import { verifyLedger } from '@referrals/ledger';
import { type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { listOutboxMessages } from '@referrals/outbox';
import { waitUntilRelayed } from './testing/relayed-workflow';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { type ApiRole } from './auth/api-keys';
import { TEST_KEYS, useApiHarness } from './testing/api-harness';
import { startApiProcess, type ApiProcess } from './testing/api-process';
import { KILO_PASS_PROGRAM, kiloPayment } from './testing/kilo-pass-fixtures';
import { freePort } from './testing/own-temporal';
import { startWorkerProcess, type WorkerProcess } from './testing/worker-process';
import { examplePrograms } from '@referrals/rule-dsl';

const REFEREES = 20;
/** The example Kilo Pass program's cap on a referrer's rewards. */
const REFERRER_CAP = 5;

/**
 * Issue 12 acceptance: two api processes and two worker processes (each with its outbox relay) on
 * one PostgreSQL database, one Temporal server and one task queue. The rules that must hold across
 * processes are decided in PostgreSQL (the referrer's cap, the first qualifying event), and the
 * relays share the outbox with SKIP LOCKED: every row is relayed once, every SALE reported once.
 */
describe('issue 12: two api processes and two workers on one PostgreSQL and one Temporal', () => {
  // The database, the fake Impact, the task queue and a client on the shared test Temporal server;
  // the in-process app of the harness is not used: every request goes to one of the api processes.
  const harness = useApiHarness({ fakeImpact: true });
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // Workflow ids derive from business ids; keep this file's reward ids away from other files'.
    await harness.db.sequelize.query(`ALTER SEQUENCE ledger_rewards_id_seq RESTART WITH ${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`);
    const impactEnv = impactConfigToEnv(harness.fake!.clientConfig({ only: ['kilo_pass'], timeoutMs: 2_000 }));
    const shared = {
      DATABASE_URL: harness.db.databaseUrl,
      TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS'] ?? '',
      TEMPORAL_NAMESPACE: process.env['TEMPORAL_NAMESPACE'] ?? 'default',
      TEMPORAL_TASK_QUEUE: harness.taskQueue,
      ...impactEnv,
    };
    const workerEnv = {
      ...shared,
      SCHEDULES_ENABLED: 'false',
      IMPACT_PRODUCTS: 'kilo_pass',
      DELIVERY_RETRY_INITIAL_INTERVAL_MS: '100',
      DELIVERY_RETRY_MAX_INTERVAL_MS: '500',
      IMPACT_POLL_INTERVAL_MS: '50',
    };
    const [apiA, apiB, workerA, workerB] = await Promise.all([
      freePort().then((port) => startApiProcess(port, shared)),
      freePort().then((port) => startApiProcess(port, shared)),
      startWorkerProcess(workerEnv),
      startWorkerProcess(workerEnv),
    ]);
    apis.push(apiA, apiB);
    workers.push(workerA, workerB);
    await call(0, 'post', '/v1/admin/programs', 'admin', { document: examplePrograms.kiloPass, author: 'operator:test', changeNote: 'launch' }).expect(201);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...apis.map((a) => a.stop()), ...workers.map((w) => w.stop())]);
  }, 40_000);

  afterEach(async () => {
    expect(await verifyLedger(harness.db.sequelize)).toEqual([]);
  });

  /** A request to api process `n % 2`. */
  const call = (n: number, method: 'post' | 'get', path: string, role: ApiRole, body?: unknown) => {
    const test = request(apis[n % 2]!.url)[method](path).set('authorization', `Bearer ${TEST_KEYS[role]}`);
    return body === undefined ? test : test.send(body as object);
  };

  const logs = () => [...apis, ...workers].map((p) => p.output()).join('\n');

  /** `count` referees of ONE referrer (a code, a touch and a signup each), spread over both apis. */
  async function refer(name: string, count: number): Promise<{ referrer: string; referees: string[] }> {
    const referrer = `${name}-referrer-${harness.run}`;
    const code = `${name}${harness.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
    await call(0, 'post', '/v1/referral-codes', 'storefront', { programKey: KILO_PASS_PROGRAM, code, userId: referrer }).expect(201);
    const referees = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const anonymousId = `${name}-anon-${i}-${harness.run}`;
        const referee = `${name}-referee-${i}-${harness.run}`;
        await call(i, 'post', '/v1/touches', 'storefront', { kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: code }).expect(201);
        const signup = await call(i + 1, 'post', '/v1/signups', 'storefront', { product: 'kilo_pass', userId: referee, anonymousId, email: `${name}${i}-${harness.run}@example.com` }).expect(200);
        if (signup.body.referral?.status !== 'qualified') throw new Error(`the referral of ${referee} did not qualify: ${JSON.stringify(signup.body)}`);
        return referee;
      }),
    );
    return { referrer, referees };
  }

  /** The workflow's result on the shared Temporal server, once a worker's relay started it. */
  async function resultOf<T>(workflowId: string): Promise<T> {
    await waitUntilRelayed(harness.temporal, workflowId, 30_000, logs);
    return (await harness.temporal.workflow.getHandle(workflowId).result()) as T;
  }

  const outboxRows = () => listOutboxMessages(harness.db.sequelize);

  /** Every outbox row written so far relayed, by one of the two relays. */
  const drained = () =>
    eventually(
      async () => {
        const rows = await outboxRows();
        return rows.every((r) => r.relayedAt !== null) ? rows : undefined;
      },
      30_000,
      'both relays to drain the outbox',
    );

  const ordersOf = (invoices: readonly string[]) => ({
    submitted: harness
      .fake!.requests({ operation: 'submitConversion' })
      .map((r) => (r.body as Record<string, string>)['OrderId'] ?? '')
      .filter((orderId) => invoices.includes(orderId))
      .sort(),
    actions: harness
      .fake!.actions()
      .map((a) => a.orderId)
      .filter((orderId) => invoices.includes(orderId))
      .sort(),
  });

  it(`issue 12: ${REFEREES} concurrent first payments of one referrer's referees over two apis give exactly ${REFERRER_CAP} referrer rewards and ${REFEREES - REFERRER_CAP} cap_limited; two relays start each SALE report once and Impact gets each SALE once`, async () => {
    const { referrer, referees } = await refer('cap', REFEREES);
    const invoices = referees.map((_, i) => `in_cap_${i}_${harness.run}`);

    const answers = await Promise.all(referees.map((referee, i) => call(i, 'post', '/v1/events/payment-succeeded', 'billing', kiloPayment(referee, invoices[i]!))));
    for (const answer of answers) expect(answer.status).toBe(200);
    const referrerStatuses = answers.map((a) => (a.body.rewards as { role: string; status: string }[]).find((r) => r.role === 'referrer')?.status);
    expect(referrerStatuses.filter((s) => s === 'pending')).toHaveLength(REFERRER_CAP);
    expect(referrerStatuses.filter((s) => s === 'cap_limited')).toHaveLength(REFEREES - REFERRER_CAP);

    // The ledger agrees: per role, one reward per payment; the referrer's capped at 5 pending.
    const byStatus = await harness.db.sequelize.query<{ role: string; status: string; n: number }>(
      'SELECT role, status, count(*)::int AS n FROM ledger_rewards WHERE referrer_id = :referrer GROUP BY role, status ORDER BY role, status',
      { replacements: { referrer }, type: QueryTypes.SELECT },
    );
    expect(byStatus).toEqual([
      { role: 'referee', status: 'pending', n: REFEREES },
      { role: 'referrer', status: 'cap_limited', n: REFEREES - REFERRER_CAP },
      { role: 'referrer', status: 'pending', n: REFERRER_CAP },
    ]);

    // Every SALE report ran and reported, and each outbox row was relayed once, by one relay.
    const reportIds = invoices.map((invoice) => workflowIds.conversionReport(`stripe:${invoice}`));
    const reports = await Promise.all(reportIds.map((id) => resultOf<ReportConversionResult>(id)));
    for (const report of reports) expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const rows = await drained();
    expect(rows.map((r) => r.workflowId).sort()).toEqual([...reportIds].sort());
    for (const row of rows) expect(row).toMatchObject({ attempts: 1, outcome: 'started' });

    // Impact got 20 SALEs, one submission and one action per payment.
    expect(ordersOf(invoices)).toEqual({ submitted: [...invoices].sort(), actions: [...invoices].sort() });
  }, 90_000);

  it('issue 12: two different first payments of one referral racing on the two apis give one reward per role (the other answer is not_first_qualifying_event)', async () => {
    const {
      referrer,
      referees: [referee],
    } = await refer('race', 1);
    const invoices = [`in_race_a_${harness.run}`, `in_race_b_${harness.run}`];
    const answers = await Promise.all(invoices.map((invoice, n) => call(n, 'post', '/v1/events/payment-succeeded', 'billing', kiloPayment(referee!, invoice))));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(answers.map((a) => a.body.decision.code as string).sort()).toEqual(['not_first_qualifying_event', 'rewarded']);
    const winner = invoices[answers.findIndex((a) => a.body.decision.code === 'rewarded')]!;

    const rewards = await harness.db.sequelize.query<{ role: string; beneficiary_id: string; source_conversion_id: string }>(
      'SELECT role, beneficiary_id, source_conversion_id FROM ledger_rewards WHERE referee_id = :referee ORDER BY role',
      { replacements: { referee }, type: QueryTypes.SELECT },
    );
    expect(rewards.map((r) => [r.role, r.beneficiary_id])).toEqual([
      ['referee', referee],
      ['referrer', referrer],
    ]);
    // Both rewards come from the winning payment.
    expect(new Set(rewards.map((r) => r.source_conversion_id)).size).toBe(1);

    // The winner's SALE is reported once; every outbox row (both tests') was relayed once.
    const report = await resultOf<ReportConversionResult>(workflowIds.conversionReport(`stripe:${winner}`));
    expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const rows = await drained();
    for (const row of rows) expect(row).toMatchObject({ attempts: 1, outcome: 'started' });
    expect(ordersOf([winner]).submitted).toEqual([winner]);
  }, 60_000);
});
