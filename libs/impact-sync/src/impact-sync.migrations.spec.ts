import { migrateDown, migrateUp, pendingMigrations } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import { QueryTypes } from 'sequelize';
import { impactSyncMigrations } from './impact-sync.migrations';

describe('impactSyncMigrations', () => {
  const db = useTestDatabase([], { migrate: false });

  const tables = async () =>
    (
      await db.sequelize.query<{ name: string }>(
        `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'impact_sync_%' ORDER BY 1`,
        { type: QueryTypes.SELECT },
      )
    ).map((r) => r.name);

  it('is a migration source named after the ledger migrations, applied once and reverted completely', async () => {
    expect(impactSyncMigrations.owner).toBe('impact-sync');
    for (const m of impactSyncMigrations.migrations) expect(m.name > '202611211500').toBe(true);

    expect(await migrateUp(db.sequelize, [impactSyncMigrations])).toHaveLength(impactSyncMigrations.migrations.length);
    expect(await tables()).toEqual(['impact_sync_attempts', 'impact_sync_deliveries', 'impact_sync_participant_requests', 'impact_sync_participants', 'impact_sync_sale_requests']);
    expect(await migrateUp(db.sequelize, [impactSyncMigrations])).toEqual([]);
    expect(await pendingMigrations(db.sequelize, [impactSyncMigrations])).toEqual([]);

    await migrateDown(db.sequelize, [impactSyncMigrations], { to: 0 });
    expect(await tables()).toEqual([]);
    await migrateUp(db.sequelize, [impactSyncMigrations]);
    expect(await tables()).toHaveLength(5);
  });
});
