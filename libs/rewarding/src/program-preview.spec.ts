import { useTestDatabase } from '@referrals/db/testing';
import { forEachDecisionRecord, inReadOnlySnapshot, type RecordRow } from './program-preview';
import { rewardingMigrations } from './rewarding.migrations';

/*
 * Preview reads decision records in keyset batches. recordQualifyingEvent writes occurred_at from a
 * Date (milliseconds), but the column holds microseconds (a backfill, a migration, another writer)
 * and a Date does not: the batches must still hand out every record of the range once, in
 * (occurred_at, conversion_id) order, whatever the batch size.
 */
describe('forEachDecisionRecord: every recorded event of the range once, in time order', () => {
  const db = useTestDatabase([rewardingMigrations]);

  // Records sharing a millisecond (microseconds apart, and equal instants told apart by id), one
  // just before the range, one at its start, one at its end (excluded), one of another program.
  const records: [id: string, at: string, program: string][] = [
    ['c-before', '2026-03-01 09:59:59.999999+00', 'p'],
    ['c-start', '2026-03-01 10:00:00+00', 'p'],
    ['c-a', '2026-03-01 10:00:00.000100+00', 'p'],
    ['c-b', '2026-03-01 10:00:00.000900+00', 'p'],
    ['c-c1', '2026-03-01 10:00:00.000901+00', 'p'],
    ['c-c2', '2026-03-01 10:00:00.000901+00', 'p'],
    ['c-d', '2026-03-01 10:00:00.000950+00', 'p'],
    ['c-other', '2026-03-01 10:00:00.0005+00', 'q'],
    ['c-e', '2026-03-01 11:30:00.5+00', 'p'],
    ['c-end', '2026-03-01 12:00:00+00', 'p'],
  ];
  const inRange = ['c-start', 'c-a', 'c-b', 'c-c1', 'c-c2', 'c-d', 'c-e'];

  beforeAll(async () => {
    for (const [id, at, program] of records) {
      await db.sequelize.query(
        `INSERT INTO rewarding_decision_records (conversion_id, event_type, occurred_at, program_key, program_version, referral_id, referrer_user_id, referee_user_id,
           decision_code, rule_index, facts, explanation, notes, rewards, recorded_at)
         VALUES ($1, 'lesson.completed', $2, $3, 1, 7, '11', '12', 'rewarded', 0, $4::jsonb, NULL, '{}', '[]'::jsonb, now())`,
        { bind: [id, at, program, JSON.stringify({ lesson: { usd_amount: '25.00', sequence: 1 }, event: { sequence: 1 } })] },
      );
    }
  });

  const read = (batchSize: number, factPaths: string[] = ['lesson.usd_amount']) =>
    inReadOnlySnapshot(db.sequelize, async (t) => {
      const batches: RecordRow[][] = [[]];
      const range = { programKey: 'p', from: new Date('2026-03-01T10:00:00Z'), to: new Date('2026-03-01T12:00:00Z'), factPaths };
      const onBatch = () => batches.push([]);
      const count = await forEachDecisionRecord(t, range, (row) => batches.at(-1)?.push(row), { batchSize, onBatch });
      batches.pop();
      expect(batches.flat()).toHaveLength(count);
      return batches;
    });

  it.each([1, 2, 3, 5000])('with batches of %i rows (records a microsecond apart share a Date)', async (batchSize) => {
    const batches = await read(batchSize);
    expect(batches.flat().map((r) => r.conversion_id)).toEqual(inRange);
    expect(batches.every((rows) => rows.length <= batchSize)).toBe(true);
  });

  it('hands out each record with the draft\'s facts only, its decision and its time (to the millisecond)', async () => {
    const [rows] = await read(5000, ['lesson.usd_amount', 'event.sequence', 'lesson.is_trial']);
    expect(rows?.[2]).toEqual({
      conversion_id: 'c-b',
      event_type: 'lesson.completed',
      occurred_at: new Date('2026-03-01T10:00:00.000Z'),
      referral_id: '7',
      referrer_user_id: '11',
      referee_user_id: '12',
      decision_code: 'rewarded',
      rule_index: 0,
      facts: { lesson: { usd_amount: '25.00' }, event: { sequence: 1 } },
      rewards: [],
    });
    expect(rows?.[6]?.occurred_at).toEqual(new Date('2026-03-01T11:30:00.500Z'));
  });
});
