import { useTestDatabase } from '@referrals/db/testing';
import { Transaction } from 'sequelize';
import pg from 'pg';
import { lockKeys } from './attribution-sql';

/** What another session sees of an advisory lock: false while a transaction holds it. */
async function freeFromOutside(databaseUrl: string, keys: readonly string[]): Promise<boolean[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const free: boolean[] = [];
    for (const key of keys) {
      const { rows } = await client.query<{ free: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS free', [`referrals.attribution.${key}`]);
      free.push(rows[0]?.free === true);
    }
    return free;
  } finally {
    await client.end();
  }
}

describe("attribution's locks: several in one round trip", () => {
  const db = useTestDatabase([]);

  it('holds every key given until the transaction ends, and lets nothing else take them meanwhile', async () => {
    const keys = ['conversion:stripe:in_lock_1', 'user:kilo_pass:u-lock-1'];
    const t = await db.sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED });
    try {
      await lockKeys(db.sequelize, t, keys);
      expect(await freeFromOutside(db.databaseUrl, [...keys, 'user:kilo_pass:someone-else'])).toEqual([false, false, true]);
    } finally {
      await t.commit();
    }
    expect(await freeFromOutside(db.databaseUrl, keys)).toEqual([true, true]);
  });

  it('a second transaction asking for one of the keys waits for the first to end', async () => {
    const first = await db.sequelize.transaction();
    await lockKeys(db.sequelize, first, ['conversion:stripe:in_lock_2', 'user:kilo_pass:u-lock-2']);
    const order: string[] = [];
    const second = db.sequelize.transaction(async (t) => {
      await lockKeys(db.sequelize, t, ['user:kilo_pass:u-lock-2']);
      order.push('second locked');
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    order.push('first commits');
    await first.commit();
    await second;
    expect(order).toEqual(['first commits', 'second locked']);
  });
});
