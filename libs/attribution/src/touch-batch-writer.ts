import { queryRows } from '@referrals/sql';
import { type Sequelize } from 'sequelize';
import { createGroupBatcher } from './group-batches';
import { TOUCH_COLUMNS, type TouchRow } from './touches';

/** One touch ready to insert: the 15 column values in INSERT order (see `TOUCH_INSERT_COLUMNS`). */
export interface TouchInsert {
  readonly values: readonly unknown[];
  readonly dedupeKey: string;
  readonly touchedMinute: Date;
}

export interface TouchWriteResult {
  readonly row: TouchRow;
  /** False when the same touch was already stored this minute (by an earlier or a concurrent capture). */
  readonly inserted: boolean;
}

export interface TouchBatchWriter {
  write(touch: TouchInsert): Promise<TouchWriteResult>;
}

export interface TouchBatchWriterOptions {
  /** Most touches in one INSERT (15 bind parameters each; PostgreSQL allows 65535). */
  readonly maxBatch?: number;
  /** Most INSERTs in flight at once: one fills while the other commits. */
  readonly maxInFlight?: number;
}

export const TOUCH_INSERT_COLUMNS = [
  'kind',
  'anonymous_id',
  'user_id',
  'product',
  'program_key',
  'saasquatch_cookie',
  'referral_code',
  'click_id',
  'metadata',
  'landing_path',
  'status',
  'truncated',
  'touched_at',
  'touched_minute',
  'dedupe_key',
] as const;
const JSONB_COLUMNS = new Set(['metadata', 'truncated']);
const MAX_BATCH_LIMIT = Math.floor(65_535 / TOUCH_INSERT_COLUMNS.length);

const identity = (dedupeKey: string, minute: Date) => `${minute.getTime()}|${dedupeKey}`;

/**
 * Group commit for touch capture, the hottest write: touches that arrive while an INSERT is in
 * flight wait for the next one, and go in together as one multi-row INSERT, one round trip and
 * one commit (one WAL flush) for all of them (`group-batches.ts` does the grouping). Alone, a touch
 * is written at once, in the next turn of the event loop.
 *
 * Every caller still answers only after its own row is committed, and gets exactly what a single
 * insert would have given: its row, and whether it was new. Per-minute dedupe is the unique
 * constraint's, as before: a duplicate inside one batch or against an earlier row is skipped by
 * `ON CONFLICT DO NOTHING` and reads the stored row back. If a batch fails, its touches are retried
 * one by one, so one bad row fails only its own caller.
 */
export function createTouchBatchWriter(sequelize: Sequelize, options: TouchBatchWriterOptions = {}): TouchBatchWriter {
  const maxBatch = options.maxBatch ?? 200;
  if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > MAX_BATCH_LIMIT) {
    throw new RangeError(`maxBatch must be an integer in [1, ${MAX_BATCH_LIMIT}]`);
  }
  const batcher = createGroupBatcher((touches: readonly TouchInsert[]) => insertBatch(sequelize, touches), {
    maxBatch,
    maxInFlight: options.maxInFlight ?? 2,
  });
  return { write: (touch) => batcher.submit(touch) };
}

async function insertBatch(sequelize: Sequelize, touches: readonly TouchInsert[]): Promise<TouchWriteResult[]> {
  const width = TOUCH_INSERT_COLUMNS.length;
  const tuples = touches.map(
    (_, row) =>
      `(${TOUCH_INSERT_COLUMNS.map((column, col) => `$${row * width + col + 1}${JSONB_COLUMNS.has(column) ? '::jsonb' : ''}`).join(', ')})`,
  );
  const inserted = await queryRows<TouchRow & { dedupe_key: string; touched_minute: Date }>(
    sequelize,
    undefined,
    `INSERT INTO attribution_touches (${TOUCH_INSERT_COLUMNS.join(', ')})
     VALUES ${tuples.join(', ')}
     ON CONFLICT ON CONSTRAINT attribution_touches_once_per_minute DO NOTHING
     RETURNING ${TOUCH_COLUMNS}, dedupe_key, touched_minute`,
    touches.flatMap((t) => [...t.values]),
  );
  const fresh = new Map(inserted.map((r) => [identity(r.dedupe_key, r.touched_minute), r]));
  const missing = touches.filter((t) => !fresh.has(identity(t.dedupeKey, t.touchedMinute)));
  const stored = new Map<string, TouchRow>();
  if (missing.length > 0) {
    const rows = await queryRows<TouchRow & { dedupe_key: string; touched_minute: Date }>(
      sequelize,
      undefined,
      `SELECT ${TOUCH_COLUMNS}, dedupe_key, touched_minute FROM attribution_touches
       WHERE (dedupe_key, touched_minute) IN (SELECT * FROM unnest($1::text[], $2::timestamptz[]))`,
      [missing.map((t) => t.dedupeKey), missing.map((t) => t.touchedMinute)],
    );
    for (const r of rows) stored.set(identity(r.dedupe_key, r.touched_minute), r);
  }

  // The first touch of a batch with a given identity inserted it; any later one is a replay.
  const claimed = new Set<string>();
  return touches.map((t) => {
    const id = identity(t.dedupeKey, t.touchedMinute);
    const row = fresh.get(id);
    if (row && !claimed.has(id)) {
      claimed.add(id);
      return { row, inserted: true };
    }
    const existing = row ?? stored.get(id);
    if (!existing) throw new Error('a conflicting touch vanished: touches are never deleted while capturing');
    return { row: existing, inserted: false };
  });
}
