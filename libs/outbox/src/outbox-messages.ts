import { contentHash, queryRows, type SqlWrite } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * Options of `client.workflow.start` / `signalWithStart` as plain JSON (what `startOptions` of
 * `@referrals/workflows` builds: task queue, workflow id, args, search attributes, memo, id
 * policies, and for signalWithStart the signal and its args).
 */
export interface WorkflowCallOptions {
  taskQueue: string;
  workflowId: string;
  args: unknown[];
}

export type OutboxWork =
  /** `restart`: a new run of a closed workflow (an operator's requeue), once per restart key. */
  | { kind: 'start'; workflowType: string; options: WorkflowCallOptions; restart?: string }
  | { kind: 'signal_with_start'; workflowType: string; options: WorkflowCallOptions & { signal: string; signalArgs: unknown[] } };

export type RelayOutcome = 'started' | 'signaled' | 'already_finished';

export interface OutboxMessage {
  readonly id: string;
  readonly kind: OutboxWork['kind'];
  readonly workflowType: string;
  readonly workflowId: string;
  readonly options: WorkflowCallOptions;
  readonly attempts: number;
  readonly createdAt: Date;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly relayedAt: Date | null;
  readonly outcome: RelayOutcome | null;
}

export interface OutboxRow {
  id: string;
  kind: OutboxWork['kind'];
  workflow_type: string;
  workflow_id: string;
  options: WorkflowCallOptions;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  last_error: string | null;
  relayed_at: Date | null;
  outcome: RelayOutcome | null;
}

export const OUTBOX_COLUMNS = 'id, kind, workflow_type, workflow_id, options, attempts, created_at, next_attempt_at, last_error, relayed_at, outcome';

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: String(row.id),
    kind: row.kind,
    workflowType: row.workflow_type,
    workflowId: row.workflow_id,
    options: row.options,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    relayedAt: row.relayed_at,
    outcome: row.outcome,
  };
}

/**
 * What makes two writes the same work. A start is one per workflow id (a second start of a
 * business id is a no-op at Temporal anyway); a signal is one per workflow, signal and content, so
 * a replayed billing event does not signal twice while a new event with other facts still does.
 */
export function dedupeKeyOf(work: OutboxWork): string {
  if (work.kind === 'start') return work.restart ? `restart:${work.options.workflowId}:${work.restart}` : `start:${work.options.workflowId}`;
  return `signal:${work.options.workflowId}:${work.options.signal}:${contentHash(work.options.signalArgs)}`;
}

/**
 * Writes Temporal work IN the caller's transaction: it reaches Temporal only if the business
 * change commits, and it is never lost once that change is committed. Writing the same work again
 * is a no-op. Returns the workflow ids, for the answer.
 *
 * No NOTIFY: PostgreSQL serializes the commits of notifying transactions (a global lock held
 * through the commit's flush), which cost every qualifying event its group commit; measured with
 * `npm run bench:ledger`. The relays poll a partial index of due rows instead (250 ms by default).
 */
export async function enqueueWork(sequelize: Sequelize, transaction: Transaction, works: readonly OutboxWork[]): Promise<QueuedWork[]> {
  const write = outboxWrite(works);
  if (write) await queryRows(sequelize, transaction, write.text, write.values, { direct: true });
  return queuedWorks(works);
}

export interface QueuedWork {
  workflowType: string;
  workflowId: string;
}

/** What enqueueWork answers for these works (the relay starts them by these ids after commit). */
export const queuedWorks = (works: readonly OutboxWork[]): QueuedWork[] => works.map((w) => ({ workflowType: w.workflowType, workflowId: w.options.workflowId }));

/** enqueueWork's INSERT, not yet run (to go with the event's other writes: runWritesTogether); null for no work. */
export function outboxWrite(works: readonly OutboxWork[]): SqlWrite | null {
  if (works.length === 0) return null;
  const values: unknown[] = [];
  const tuples = works.map((work, i) => {
    values.push(work.kind, work.workflowType, work.options.workflowId, JSON.stringify(work.options), dedupeKeyOf(work));
    const p = i * 5;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::jsonb, $${p + 5})`;
  });
  return {
    text: `INSERT INTO outbox_messages (kind, workflow_type, workflow_id, options, dedupe_key)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (dedupe_key) DO NOTHING`,
    values,
  };
}

export interface OutboxBacklog {
  /** Rows not relayed yet. */
  readonly rows: number;
  /** Age of the oldest of them, in seconds (0 when there is none). */
  readonly oldestAgeSeconds: number;
  /** Of them, rows that failed at least once (Temporal away or refusing). */
  readonly retrying: number;
  readonly lastError: string | null;
}

/** The backlog operators watch: rows waiting for the relay and how old the oldest is. */
export async function outboxBacklog(sequelize: Sequelize): Promise<OutboxBacklog> {
  const [row] = await queryRows<{ rows: string; oldest: Date | null; now: Date; retrying: string; last_error: string | null }>(
    sequelize,
    undefined,
    `SELECT count(*) AS rows, min(created_at) AS oldest, now() AS now, count(*) FILTER (WHERE attempts > 0) AS retrying,
            (SELECT last_error FROM outbox_messages WHERE relayed_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error
       FROM outbox_messages WHERE relayed_at IS NULL`,
  );
  const oldest = row?.oldest ? new Date(row.oldest) : null;
  return {
    rows: Number(row?.rows ?? 0),
    oldestAgeSeconds: oldest && row ? Math.max(0, Math.round((new Date(row.now).getTime() - oldest.getTime()) / 1000)) : 0,
    retrying: Number(row?.retrying ?? 0),
    lastError: row?.last_error ?? null,
  };
}

/** Every outbox row, oldest first, up to `limit` (what tests and operators inspect). */
export async function listOutboxMessages(sequelize: Sequelize, limit = 1000): Promise<OutboxMessage[]> {
  const rows = await queryRows<OutboxRow>(sequelize, undefined, `SELECT ${OUTBOX_COLUMNS} FROM outbox_messages ORDER BY id LIMIT $1`, [limit]);
  return rows.map(toOutboxMessage);
}

/** The outbox rows of one workflow id, oldest first (what tests and operators inspect). */
export async function outboxMessagesOf(sequelize: Sequelize, workflowId: string, transaction?: Transaction): Promise<OutboxMessage[]> {
  const rows = await queryRows<OutboxRow>(sequelize, transaction, `SELECT ${OUTBOX_COLUMNS} FROM outbox_messages WHERE workflow_id = $1 ORDER BY id`, [workflowId]);
  return rows.map(toOutboxMessage);
}
