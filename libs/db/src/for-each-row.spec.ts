import { useTestDatabase } from './testing';
import { fastTimestamptzTypes, forEachRow, queryRows } from '@referrals/sql';

describe('forEachRow: rows handed out one by one as they arrive', () => {
  const db = useTestDatabase([]);

  it('hands each row, as an array in select-list order, to the callback in order, and counts them', async () => {
    const seen: unknown[][] = [];
    const count = await db.sequelize.transaction((t) =>
      forEachRow(t, `SELECT n, 'r' || n, timestamptz '2026-01-01 00:00:00+00' + n * interval '1 ms' FROM generate_series(1, $1::int) n`, [2500], (row) => seen.push(row), {
        types: fastTimestamptzTypes,
      }),
    );
    expect(count).toBe(2500);
    expect(seen).toHaveLength(2500);
    expect(seen[0]).toEqual([1, 'r1', new Date('2026-01-01T00:00:00.001Z')]);
    expect(seen.map((row) => row[0])).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('a callback that throws gets no more rows, the promise rejects with its error, and the transaction\'s connection goes on working', async () => {
    let calls = 0;
    const after = await db.sequelize.transaction(async (t) => {
      const failed = forEachRow(t, 'SELECT n FROM generate_series(1, 5000) n', [], () => {
        calls += 1;
        if (calls === 10) throw new Error('cannot decide this one');
      });
      await expect(failed).rejects.toThrow('cannot decide this one');
      return queryRows<{ ok: number }>(db.sequelize, t, 'SELECT 1 AS ok', [], { direct: true });
    });
    expect(calls).toBe(10);
    expect(after).toEqual([{ ok: 1 }]);
  });

  it('rejects with PostgreSQL\'s error when the statement fails', async () => {
    const failed = db.sequelize.transaction((t) => forEachRow(t, 'SELECT 1 / (n - 3) FROM generate_series(1, 5) n', [], () => undefined));
    await expect(failed).rejects.toMatchObject({ code: '22012' });
  });
});
