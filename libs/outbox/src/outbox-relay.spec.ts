import { dbMigrations } from '@referrals/db';
import { eventually, useTestDatabase } from '@referrals/db/testing';
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { enqueueWork, outboxBacklog, outboxMessagesOf, type OutboxWork } from './outbox-messages';
import { outboxMigrations } from './outbox.migrations';
import { createOutboxRelay, type WorkflowStarterClient } from './outbox-relay';

/** A start of a workflow type no worker serves: Temporal records the start, nothing runs it. */
const startOf = (workflowId: string): OutboxWork => {
  const options = { taskQueue: `outbox-test-${randomBytes(3).toString('hex')}`, workflowId, args: [{ n: 1 }], workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'USE_EXISTING' };
  return { kind: 'start', workflowType: 'outboxProbe', options };
};

/** Counts the calls that reach Temporal, to prove each row is relayed once. */
function counting(client: WorkflowStarterClient) {
  const calls: string[] = [];
  const workflows: WorkflowStarterClient = {
    start: ((type: string, options: { workflowId: string }) => {
      calls.push(options.workflowId);
      return client.start(type, options as never);
    }) as WorkflowStarterClient['start'],
    signalWithStart: ((type: string, options: { workflowId: string }) => {
      calls.push(options.workflowId);
      return client.signalWithStart(type, options as never);
    }) as WorkflowStarterClient['signalWithStart'],
    withDeadline: (deadline, fn) => client.withDeadline(deadline, fn),
  };
  return { workflows, calls };
}

describe('outbox relay', () => {
  const db = useTestDatabase([dbMigrations, outboxMigrations]);
  const run = randomBytes(4).toString('hex');
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? '' });
    client = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
  });
  afterAll(() => connection.close());

  it('writes work only when the business transaction commits, and the same work twice is one row', async () => {
    const id = `probe-rollback-${run}`;
    await db.sequelize
      .transaction(async (t) => {
        await enqueueWork(db.sequelize, t, [startOf(id)]);
        throw new Error('the business change failed');
      })
      .catch(() => undefined);
    expect(await outboxMessagesOf(db.sequelize, id)).toEqual([]);
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id), startOf(id)]));
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
    expect(await outboxMessagesOf(db.sequelize, id)).toHaveLength(1);
  });

  it('two relays at once (FOR UPDATE SKIP LOCKED) start each of 30 rows exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `probe-many-${i}-${run}`);
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, ids.map(startOf)));
    const a = counting(client.workflow);
    const b = counting(client.workflow);
    const relayA = createOutboxRelay({ sequelize: db.sequelize, workflows: a.workflows, batchSize: 4 });
    const relayB = createOutboxRelay({ sequelize: db.sequelize, workflows: b.workflows, batchSize: 4 });
    const drain = async (relay: typeof relayA) => {
      while ((await relay.relayOnce()).relayed > 0);
    };
    await Promise.all([drain(relayA), drain(relayB), drain(relayA), drain(relayB)]);
    const calls = [...a.calls, ...b.calls].filter((id) => ids.includes(id)).sort();
    expect(calls).toEqual([...ids].sort());
    expect(a.calls.length).toBeGreaterThan(0);
    expect(b.calls.length).toBeGreaterThan(0);
    for (const id of ids) expect(await outboxMessagesOf(db.sequelize, id)).toEqual([expect.objectContaining({ outcome: 'started', attempts: 1 })]);
    expect((await outboxBacklog(db.sequelize)).rows).toBe(0);
  });

  it('keeps a row Temporal does not take with its attempts, error and a growing pause, then relays it once Temporal answers', async () => {
    const id = `probe-away-${run}`;
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
    const away: WorkflowStarterClient = {
      start: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
      signalWithStart: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
      withDeadline: (_deadline, fn) => fn(),
    };
    const down = createOutboxRelay({ sequelize: db.sequelize, workflows: away, retryInitialMs: 60_000 });
    expect(await down.relayOnce()).toEqual({ relayed: 0, failed: 1 });
    expect(await down.relayOnce()).toEqual({ relayed: 0, failed: 0 }); // not due during its pause
    const [waiting] = await outboxMessagesOf(db.sequelize, id);
    expect(waiting).toMatchObject({ attempts: 1, relayedAt: null, lastError: expect.stringContaining('UNAVAILABLE') });
    expect(await outboxBacklog(db.sequelize)).toMatchObject({ rows: 1, retrying: 1, lastError: expect.stringContaining('UNAVAILABLE') });

    await db.sequelize.query('UPDATE outbox_messages SET next_attempt_at = now() WHERE workflow_id = $1', { bind: [id], type: QueryTypes.UPDATE });
    const up = createOutboxRelay({ sequelize: db.sequelize, workflows: client.workflow });
    expect(await up.relayOnce()).toEqual({ relayed: 1, failed: 0 });
    expect(await outboxMessagesOf(db.sequelize, id)).toEqual([expect.objectContaining({ outcome: 'started', attempts: 2 })]);
  });

  it('counts a failed row\'s pause from the failure, not from the start of the pass (a call that waited its timeout)', async () => {
    const id = `probe-slow-away-${run}`;
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
    // Temporal away, the call failing only after a while (as one that waits for its deadline does).
    const refuseLate = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('4 DEADLINE_EXCEEDED')), 1_000));
    const away: WorkflowStarterClient = { start: refuseLate, signalWithStart: refuseLate, withDeadline: (_deadline, fn) => fn() };
    const down = createOutboxRelay({ sequelize: db.sequelize, workflows: away, retryInitialMs: 900 });
    expect(await down.relayOnce()).toEqual({ relayed: 0, failed: 1 });
    // Still within its pause right after the failure: not tried again.
    expect(await down.relayOnce()).toEqual({ relayed: 0, failed: 0 });
    expect(await outboxMessagesOf(db.sequelize, id)).toEqual([expect.objectContaining({ attempts: 1, relayedAt: null })]);
    await db.sequelize.query('UPDATE outbox_messages SET relayed_at = now(), outcome = $2 WHERE workflow_id = $1', { bind: [id, 'started'], type: QueryTypes.UPDATE });
  });

  it('calls a start of a closed workflow done (already_finished): the work ran before', async () => {
    const id = `probe-closed-${run}`;
    await client.workflow.start('outboxProbe', { taskQueue: 'outbox-closed', workflowId: id, args: [] });
    await client.workflow.getHandle(id).terminate('closed for the test');
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
    const relay = createOutboxRelay({ sequelize: db.sequelize, workflows: client.workflow });
    expect(await relay.relayOnce()).toEqual({ relayed: 1, failed: 0 });
    expect(await outboxMessagesOf(db.sequelize, id)).toEqual([expect.objectContaining({ outcome: 'already_finished' })]);
    await expect(client.workflow.start('outboxProbe', { taskQueue: 'outbox-closed', workflowId: id, args: [], workflowIdReusePolicy: 'REJECT_DUPLICATE' })).rejects.toBeInstanceOf(
      WorkflowExecutionAlreadyStartedError,
    );
  });

  it('the running loop relays work committed while it runs (its poll), and stop() waits for the pass in flight', async () => {
    const relay = createOutboxRelay({ sequelize: db.sequelize, workflows: client.workflow, pollIntervalMs: 50 });
    await relay.start();
    try {
      const id = `probe-loop-${run}`;
      await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
      await eventually(async () => (await outboxMessagesOf(db.sequelize, id))[0]?.outcome === 'started', 10_000, 'the row relayed by the loop');
    } finally {
      await relay.stop();
    }
    const id = `probe-stopped-${run}`;
    await db.sequelize.transaction((t) => enqueueWork(db.sequelize, t, [startOf(id)]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await outboxMessagesOf(db.sequelize, id)).toEqual([expect.objectContaining({ relayedAt: null })]);
  });
});
