import { migrateDown, migrateUp, pendingMigrations } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import { QueryTypes } from 'sequelize';
import { rewardingMigrations } from './rewarding.migrations';

describe('rewardingMigrations', () => {
  const db = useTestDatabase([], { migrate: false });

  const tables = async () =>
    (
      await db.sequelize.query<{ name: string }>(
        `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'rewarding_%' ORDER BY 1`,
        { type: QueryTypes.SELECT },
      )
    ).map((r) => r.name);

  it('creates the decision records table once and reverts it completely', async () => {
    expect(rewardingMigrations.owner).toBe('rewarding');
    expect(await migrateUp(db.sequelize, [rewardingMigrations])).toHaveLength(rewardingMigrations.migrations.length);
    expect(await tables()).toEqual(['rewarding_decision_records']);
    expect(await migrateUp(db.sequelize, [rewardingMigrations])).toEqual([]);
    expect(await pendingMigrations(db.sequelize, [rewardingMigrations])).toEqual([]);
    await migrateDown(db.sequelize, [rewardingMigrations], { to: 0 });
    expect(await tables()).toEqual([]);
  });
});
