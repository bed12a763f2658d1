import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { QueryTypes } from 'sequelize';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, type Harness, kiloPass, uid, withObservedStatements } from './testing/attribution-fixtures';
import { createTouchBatchWriter, TOUCH_INSERT_COLUMNS, type TouchInsert } from './touch-batch-writer';

const T0 = '2026-01-05T10:00:00.000Z';

/** A stored-ready affiliate touch of `anonymousId` in `minute`, as captureTouch would hand it to the writer. */
function affiliateInsert(anonymousId: string, clickId: string, dedupeKey: string, minute: Date): TouchInsert {
  const values: unknown[] = TOUCH_INSERT_COLUMNS.map(() => null);
  const set = (column: (typeof TOUCH_INSERT_COLUMNS)[number], value: unknown) => (values[TOUCH_INSERT_COLUMNS.indexOf(column)] = value);
  set('kind', 'affiliate');
  set('anonymous_id', anonymousId);
  set('product', 'kilo_pass');
  set('click_id', clickId);
  set('metadata', '{}');
  set('status', 'accepted');
  set('truncated', '{}');
  set('touched_at', minute);
  set('touched_minute', minute);
  set('dedupe_key', dedupeKey);
  return { values, dedupeKey, touchedMinute: minute };
}

describe('touch capture group commit (touch-batch-writer)', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
  });
  beforeEach(() => h.clock.set(T0));

  const touchRows = async (anonymousPrefix: string) =>
    db.sequelize.query<{ id: string; anonymous_id: string }>(`SELECT id, anonymous_id FROM attribution_touches WHERE anonymous_id LIKE :p ORDER BY id`, {
      replacements: { p: `${anonymousPrefix}%` },
      type: QueryTypes.SELECT,
    });

  it('captures 100 concurrent distinct touches: every caller gets its own stored row, none replayed', async () => {
    const prefix = uid('burst');
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => h.attribution.captureTouch({ kind: 'referral', anonymousId: `${prefix}-${i}`, product: 'kilo_pass', referralCode: `CODE${i}` })),
    );
    expect(results.every((r) => !r.replayed)).toBe(true);
    expect(results.map((r) => r.touch.anonymousId)).toEqual(Array.from({ length: 100 }, (_, i) => `${prefix}-${i}`));
    expect(results.map((r) => r.touch.referralCode)).toEqual(Array.from({ length: 100 }, (_, i) => `CODE${i}`));
    const rows = await touchRows(prefix);
    expect(rows).toHaveLength(100);
    expect(new Set(results.map((r) => r.touch.id))).toEqual(new Set(rows.map((r) => String(r.id))));
  });

  it('dedupes the same touch sent 5 times concurrently (same minute): one row, one caller inserted it, four replayed with that row', async () => {
    const anonymousId = uid('dup');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => h.attribution.captureTouch({ kind: 'affiliate', anonymousId, product: 'kilo_pass', clickId: 'click-123' })),
    );
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(new Set(results.map((r) => r.touch.id)).size).toBe(1);
    expect(await touchRows(anonymousId)).toHaveLength(1);
    // A retry later in the same minute is a replay of the same row, too.
    h.clock.advance(30_000);
    const retried = await h.attribution.captureTouch({ kind: 'affiliate', anonymousId, product: 'kilo_pass', clickId: 'click-123' });
    expect(retried).toEqual({ touch: results[0]?.touch, replayed: true });
  });

  it('groups touches that arrive together into one INSERT (batches of at most maxBatch), each committed before its caller hears back', async () => {
    const writer = createTouchBatchWriter(db.sequelize, { maxBatch: 8, maxInFlight: 1 });
    const prefix = uid('group');
    const minute = new Date(T0);
    const touch = (i: number) => affiliateInsert(`${prefix}-${i}`, `click-${i}`, (i + 1).toString(16).padStart(64, '0'), minute);
    const { result: written, statements } = await withObservedStatements(db.sequelize, () => Promise.all(Array.from({ length: 20 }, (_, i) => writer.write(touch(i)))));
    expect(written.every((w) => w.inserted)).toBe(true);
    const inserts = statements.filter((s) => s.trimStart().startsWith('INSERT INTO attribution_touches'));
    // 20 touches written in the same turn, 8 per INSERT: 8 + 8 + 4.
    expect(inserts).toHaveLength(3);
    expect(inserts.map((s) => (s.match(/\), \(/g)?.length ?? 0) + 1)).toEqual([8, 8, 4]);
    expect(await touchRows(prefix)).toHaveLength(20);
  });

  it('isolates a bad touch: the batch is retried one by one, so only the bad caller fails and the others are stored', async () => {
    const writer = createTouchBatchWriter(db.sequelize, { maxBatch: 10, maxInFlight: 1 });
    const prefix = uid('isolate');
    const minute = new Date(T0);
    const touch = (i: number, dedupeKey: string) => affiliateInsert(`${prefix}-${i}`, `click-${i}`, dedupeKey, minute);
    // The table's CHECK refuses a dedupe key that is not 64 hex characters.
    const outcomes = await Promise.allSettled([
      writer.write(touch(0, 'a'.repeat(64))),
      writer.write(touch(1, 'not-a-hash')),
      writer.write(touch(2, 'b'.repeat(64))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Retried one by one, concurrently: which of the two good touches is stored first is not fixed.
    expect((await touchRows(prefix)).map((r) => r.anonymous_id).sort()).toEqual([`${prefix}-0`, `${prefix}-2`]);
  });

  it('refuses a batch size PostgreSQL could not bind', () => {
    expect(() => createTouchBatchWriter(db.sequelize, { maxBatch: 10_000 })).toThrow(/maxBatch must be an integer in \[1, 4369\]/);
    expect(() => createTouchBatchWriter(db.sequelize, { maxInFlight: 0 })).toThrow(/maxInFlight/);
  });
});
