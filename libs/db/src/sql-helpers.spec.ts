import { inspect } from 'node:util';
import { lockBusinessKey, logSafeError, pgErrorOf, queryRows } from '@referrals/sql';
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

  it('logSafeError keeps the SQLSTATE, constraint and names of a failed statement, never its values (replacements, bind parameters, detail, bad literals)', async () => {
    const cookie = 'saasquatch-secret-cookie-value';
    await db.sequelize.query('CREATE TABLE cookies (value text UNIQUE)');
    await queryRows(db.sequelize, undefined, 'INSERT INTO cookies VALUES ($1)', [cookie]);
    const unique = await queryRows(db.sequelize, undefined, 'INSERT INTO cookies VALUES ($1)', [cookie]).catch((e: unknown) => e);
    const inlined = await db.sequelize.query('INSERT INTO cookies VALUES (:value)', { replacements: { value: cookie } }).catch((e: unknown) => e);
    const literal = await queryRows(db.sequelize, undefined, 'SELECT $1::int', [cookie]).catch((e: unknown) => e);
    const direct = await db.sequelize.transaction((t) => queryRows(db.sequelize, t, 'INSERT INTO cookies VALUES ($1)', [cookie], { direct: true })).catch((e: unknown) => e);

    for (const error of [unique, inlined, literal, direct]) {
      // The raw error does carry the value: what the serializer exists for.
      expect(inspect(error, { depth: 6 })).toContain(cookie);
      expect(JSON.stringify(logSafeError(error))).not.toContain(cookie);
    }
    expect(logSafeError(direct)).toMatchObject({ code: '23505', constraint: 'cookies_value_key', table: 'cookies', message: expect.stringContaining('cookies_value_key') });
    expect(logSafeError(unique)).toMatchObject({ code: '23505', constraint: 'cookies_value_key' });
    expect(logSafeError(literal)).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "[redacted]"' });
    // Anything else passes through unchanged.
    const plain = new Error('not a database error');
    expect(logSafeError(plain)).toBe(plain);
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
