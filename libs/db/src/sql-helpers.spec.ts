import { lockBusinessKey, pgErrorOf, queryRows } from '@referrals/sql';
import { createTestDatabase, type TestDatabase } from './testing';

// The shared SQL helpers of @referrals/sql, against the real server (they live in a util lib that
// cannot use this lib's harness without a dependency cycle).
describe('queryRows', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'sql', migrate: false });
    await db.sequelize.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
  });
  afterAll(() => db.drop());

  it('binds positional parameters and returns RETURNING rows, through Sequelize or directly as a prepared statement', async () => {
    const plain = await queryRows<{ id: number }>(db.sequelize, undefined, 'INSERT INTO items VALUES ($1, $2) RETURNING id', [1, 'a']);
    expect(plain).toEqual([{ id: 1 }]);
    const prepared = await db.sequelize.transaction((t) =>
      queryRows<{ name: string }>(db.sequelize, t, 'SELECT name FROM items WHERE id = $1', [1], { direct: true, prepare: true }),
    );
    expect(prepared).toEqual([{ name: 'a' }]);
  });

  it('surfaces the SQLSTATE and constraint of a violation', async () => {
    const error = await queryRows(db.sequelize, undefined, 'INSERT INTO items VALUES ($1, $2)', [1, 'dup']).catch((e: unknown) => e);
    expect(pgErrorOf(error)).toEqual({ code: '23505', constraint: 'items_pkey' });
  });

  it('serialises work on the same business key with an advisory lock', async () => {
    const order: string[] = [];
    const hold = (label: string, ms: number) =>
      db.sequelize.transaction(async (t) => {
        await lockBusinessKey(db.sequelize, t, 'same-key');
        order.push(`${label}:start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${label}:end`);
      });
    await Promise.all([hold('a', 150), new Promise((r) => setTimeout(r, 30)).then(() => hold('b', 0))]);
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
  });
});
