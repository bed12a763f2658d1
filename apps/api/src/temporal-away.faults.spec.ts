import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '@referrals/db/testing';
import { impactConfigToEnv } from '@referrals/impact-client';
import { verifyLedger } from '@referrals/ledger';
import { type IssuanceBonusResult, type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { Client, Connection } from '@temporalio/client';
import { listOutboxMessages } from '@referrals/outbox';
import { waitUntilRelayed } from './testing/relayed-workflow';
import { QueryTypes } from 'sequelize';
import { useApiHarness } from './testing/api-harness';
import { createKiloPassProgram, kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { freePort, ownTemporalServer, type OwnTemporal } from './testing/own-temporal';
import { kiloIssuance } from './testing/worker-e2e';
import { startWorkerProcess, type WorkerProcess } from './testing/worker-process';

const SUBSCRIBERS = 50;
/** How long Temporal stays stopped at least (FAULTS_TEMPORAL_AWAY_SECONDS, default 60: the "a minute"). */
const AWAY_MS = Number(process.env['FAULTS_TEMPORAL_AWAY_SECONDS'] ?? '60') * 1000;

/**
 * Issue 12 acceptance: Temporal goes away while payments keep coming. The api only writes the
 * outbox (every answer 2xx, ops shows the backlog); the worker process's relay retries, and once
 * Temporal is back (same port, same SQLite state) every workflow runs exactly once. The test runs
 * its own Temporal dev server (the shared test server must stay up for the other files).
 */
describe('issue 12: the outbox while Temporal is away', () => {
  const api = useApiHarness({ fakeImpact: true });
  let dir = '';
  let temporal: OwnTemporal;
  let worker: WorkerProcess | undefined;
  let connection: Connection | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-temporal-away-'));
    temporal = ownTemporalServer({ port: await freePort(), dbFile: path.join(dir, 'temporal.sqlite') });
    await temporal.start();
    const workerEnv = {
      DATABASE_URL: api.db.databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: api.taskQueue,
      SCHEDULES_ENABLED: 'false',
      IMPACT_PRODUCTS: 'kilo_pass',
      DELIVERY_RETRY_INITIAL_INTERVAL_MS: '100',
      DELIVERY_RETRY_MAX_INTERVAL_MS: '500',
      IMPACT_POLL_INTERVAL_MS: '50',
      // Quick recovery once Temporal is back: a failed row waits at most 1 s before the next try.
      OUTBOX_POLL_INTERVAL_MS: '200',
      OUTBOX_RETRY_INITIAL_MS: '200',
      OUTBOX_RETRY_MAX_MS: '1000',
      OUTBOX_CALL_TIMEOUT_MS: '2000',
      ...impactConfigToEnv(api.fake!.clientConfig({ only: ['kilo_pass'], timeoutMs: 2_000 })),
    };
    worker = await startWorkerProcess(workerEnv);
    await createKiloPassProgram(api);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await temporal?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 40_000);

  const logs = () => [worker?.output() ?? '', temporal.output()].join('\n');

  it(`issue 12: with Temporal stopped (at least ${AWAY_MS / 1000} s), ${SUBSCRIBERS} payments, an issuance and a usage signal are accepted and queued; after Temporal is back each workflow runs exactly once`, async () => {
    // Referred subscribers, each of their own referrer (no cap in play): one SALE report each.
    const referees: string[] = [];
    for (let i = 0; i < SUBSCRIBERS; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, SUBSCRIBERS - i) }, (_, j) => referKiloPass(api, `away${i + j}`)));
      referees.push(...batch.map((r) => r.referee));
    }
    const invoices = referees.map((_, i) => `in_away_${i}_${api.run}`);
    const issuanceId = `iss-away-${api.run}`;
    const subscriber = `plain-away-${api.run}`;

    await temporal.stop();
    const stoppedAt = Date.now();

    // The api never calls Temporal: every answer is 2xx while it is away.
    const payments = await Promise.all(referees.map((referee, i) => api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, invoices[i]!))));
    for (const answer of payments) {
      expect(answer.status).toBe(200);
      expect(answer.body.decision.code).toBe('rewarded');
    }
    const created = await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriber));
    const usage = await api.post('/v1/events/usage-threshold-crossed', 'billing', {
      issuanceId,
      subscriberId: subscriber,
      product: 'kilo_pass',
      crossedAt: new Date(Date.now() + 2_000).toISOString(),
    });
    expect([created.status, usage.status]).toEqual([202, 202]);
    expect(created.body).toMatchObject({ outcome: 'queued' });
    expect(usage.body).toMatchObject({ outcome: 'queued' });

    // Ops shows the backlog, and the relay is failing on it (Temporal is away), not idle.
    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.outbox.rows).toBeGreaterThanOrEqual(SUBSCRIBERS + 2);
    const retrying = await eventually(
      async () => {
        const body = (await api.get('/v1/admin/ops', 'admin').expect(200)).body;
        return body.outbox.retrying > 0 && body.outbox.rows >= SUBSCRIBERS + 2 ? body.outbox : undefined;
      },
      30_000,
      'the relay to fail on the backlog while Temporal is away',
    );
    expect(retrying.lastError).toEqual(expect.any(String));
    // The relay keeps trying (one row per pass, each waiting its call timeout, then backing off)
    // and the worker process stays up through it.
    await eventually(
      async () => (await api.get('/v1/admin/ops', 'admin').expect(200)).body.outbox.retrying >= 5,
      60_000,
      'five failed relay tries while Temporal is away',
    );
    expect(worker?.running()).toBe(true);

    // Away for at least AWAY_MS in all, the relay failing all along.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, AWAY_MS - (Date.now() - stoppedAt))));
    await temporal.start();
    // The same worker process (never restarted) relays the backlog and runs the workflows.
    expect(worker?.running()).toBe(true);

    connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: 'default' });
    const resultOf = async <T>(workflowId: string): Promise<T> => {
      await waitUntilRelayed(client, workflowId, 60_000, logs);
      return (await client.workflow.getHandle(workflowId).result()) as T;
    };

    const reports = await Promise.all(invoices.map((invoice) => resultOf<ReportConversionResult>(workflowIds.conversionReport(`stripe:${invoice}`))));
    for (const report of reports) expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const decided = await resultOf<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    expect(decided).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus', rewardId: null } });

    // Impact got exactly one SALE per payment: one submission and one action per OrderId.
    const submittedOrders = api.fake!.requests({ operation: 'submitConversion' }).map((r) => (r.body as Record<string, string>)['OrderId']);
    expect([...submittedOrders].sort()).toEqual([...invoices].sort());
    expect(
      api
        .fake!.actions()
        .map((a) => a.orderId)
        .sort(),
    ).toEqual([...invoices].sort());

    // The issuance has exactly one bonus-like item.
    const items = await api.db.sequelize.query<{ item_kind: string }>('SELECT item_kind FROM ledger_issuance_items WHERE issuance_id = :issuanceId', {
      replacements: { issuanceId },
      type: QueryTypes.SELECT,
    });
    expect(items).toEqual([{ item_kind: 'bonus' }]);

    // Every outbox row was relayed once: outcome set, nothing left; the failed tries are its attempts.
    const rows = await listOutboxMessages(api.db.sequelize);
    const reportIds = invoices.map((invoice) => workflowIds.conversionReport(`stripe:${invoice}`));
    expect(rows.filter((r) => r.kind === 'start').map((r) => r.workflowId).sort()).toEqual([...reportIds].sort());
    expect(rows.filter((r) => r.kind === 'signal_with_start').map((r) => r.workflowId)).toEqual([workflowIds.issuanceBonus(issuanceId), workflowIds.issuanceBonus(issuanceId)]);
    for (const row of rows) {
      expect(row.relayedAt).not.toBeNull();
      expect(row.outcome).toBe(row.kind === 'start' ? 'started' : 'signaled');
    }
    expect((await api.get('/v1/admin/ops', 'admin').expect(200)).body.outbox).toMatchObject({ rows: 0, retrying: 0 });

    // Temporal ran each workflow once: one execution per workflow id, all completed. Every result was
    // awaited above; the list (Temporal's visibility store) catches up asynchronously, so it is
    // read until it shows no running execution.
    const executions = await eventually(
      async () => {
        const listed: { workflowId: string; status: string }[] = [];
        for await (const execution of client.workflow.list()) listed.push({ workflowId: execution.workflowId, status: execution.status.name });
        return listed.some((e) => e.status === 'RUNNING') ? undefined : listed;
      },
      20_000,
      'the visibility store to show every execution closed',
    );
    expect(executions.map((e) => e.workflowId).sort()).toEqual([...reportIds, workflowIds.issuanceBonus(issuanceId)].sort());
    expect(new Set(executions.map((e) => e.status))).toEqual(new Set(['COMPLETED']));

    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  }, 150_000 + AWAY_MS);
});
