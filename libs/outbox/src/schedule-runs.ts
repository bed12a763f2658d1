import { queryRows } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { enqueueWork, type OutboxWork } from './outbox-messages';

/**
 * A run of a scheduled job an operator asked for now (`POST /v1/admin/schedules/{name}/run`). The
 * row and the workflow start are written in ONE transaction (the start leaves through the outbox:
 * the api never waits for Temporal); the workflow writes its result here when it ends, so what the
 * run changed is readable from PostgreSQL afterwards.
 */
export interface ScheduleRun {
  readonly id: string;
  readonly schedule: string;
  readonly workflowId: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly status: 'queued' | 'succeeded';
  /** What the job's workflow returned (expired reward ids, redemptions started...); null until it ended. */
  readonly result: Record<string, unknown> | null;
  readonly finishedAt: Date | null;
}

interface ScheduleRunRow {
  id: string;
  schedule: string;
  workflow_id: string;
  requested_by: string;
  requested_at: Date;
  status: ScheduleRun['status'];
  result: Record<string, unknown> | null;
  finished_at: Date | null;
}

const COLUMNS = 'id, schedule, workflow_id, requested_by, requested_at, status, result, finished_at';

const toScheduleRun = (row: ScheduleRunRow): ScheduleRun => ({
  id: row.id,
  schedule: row.schedule,
  workflowId: row.workflow_id,
  requestedBy: row.requested_by,
  requestedAt: row.requested_at,
  status: row.status,
  result: row.result,
  finishedAt: row.finished_at,
});

/**
 * Records the run and queues its workflow start in the caller's transaction. `work(runId)` builds
 * the start (its workflow id derives from the run id, which is a UUID: unique across databases
 * sharing one Temporal server).
 */
export async function queueScheduleRun(
  sequelize: Sequelize,
  t: Transaction,
  input: { schedule: string; requestedBy: string; work: (runId: string) => Extract<OutboxWork, { kind: 'start' }> },
): Promise<ScheduleRun> {
  const [{ id } = { id: '' }] = await queryRows<{ id: string }>(sequelize, t, 'SELECT gen_random_uuid()::text AS id');
  const work = input.work(id);
  const [row] = await queryRows<ScheduleRunRow>(
    sequelize,
    t,
    `INSERT INTO schedule_runs (id, schedule, workflow_id, requested_by, requested_at, status)
     VALUES ($1::uuid, $2, $3, $4, now(), 'queued') RETURNING ${COLUMNS}`,
    [id, input.schedule, work.options.workflowId, input.requestedBy],
  );
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  await enqueueWork(sequelize, t, [work]);
  return toScheduleRun(row);
}

/** The workflow's end: its result, once (a replayed activity finds the run finished and changes nothing). */
export async function finishScheduleRun(sequelize: Sequelize, input: { runId: string; result: Record<string, unknown> }): Promise<void> {
  await queryRows(
    sequelize,
    undefined,
    `UPDATE schedule_runs SET status = 'succeeded', result = $2::jsonb, finished_at = now() WHERE id = $1::uuid AND status = 'queued' RETURNING id`,
    [input.runId, JSON.stringify(input.result)],
  );
}

/** A run by id, or null (also for an id that is not a UUID). */
export async function getScheduleRun(sequelize: Sequelize, runId: string): Promise<ScheduleRun | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(runId)) return null;
  const [row] = await queryRows<ScheduleRunRow>(sequelize, undefined, `SELECT ${COLUMNS} FROM schedule_runs WHERE id = $1::uuid`, [runId]);
  return row ? toScheduleRun(row) : null;
}
