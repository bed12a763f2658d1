import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateDown, migrateUp } from '@referrals/db';
import { createTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { createProgramStore } from './program-store';
import { programsMigrations } from './programs.migrations';
import { AUTHOR, kiloPass, productCatalogs } from './testing/program-fixtures';

async function tables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'program%' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

describe('programs migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'programs_migrations', migrate: false });
  }, 60_000);
  afterAll(async () => {
    await db.drop();
  });

  it('migrate up, down with data in the tables, and up again', async () => {
    expect(await migrateUp(db.sequelize, [programsMigrations])).toEqual(['programs/202611211200-create-programs', 'programs/202612031300-programs-retired-status']);
    expect(await tables(db.sequelize)).toEqual(['program_versions', 'programs']);
    await createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs() }).save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    expect(await migrateDown(db.sequelize, [programsMigrations], { to: 0 })).toEqual(['programs/202612031300-programs-retired-status', 'programs/202611211200-create-programs']);
    expect(await tables(db.sequelize)).toEqual([]);
    const functions = await db.sequelize.query("SELECT proname FROM pg_proc WHERE proname LIKE 'programs_%'", { type: QueryTypes.SELECT });
    expect(functions).toEqual([]);
    expect(await migrateUp(db.sequelize, [programsMigrations])).toHaveLength(2);
  });

  it('the schema itself refuses a second active program at one priority, a product change, and deletes', async () => {
    const store = createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs() });
    await store.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    // Bypassing the code: a raw second active row at the same (product, priority).
    const violation = await db.sequelize
      .query(`INSERT INTO program_versions (program_key, version, product, status, priority, name, document, content_hash, author, change_note, created_at)
              VALUES ('other', 1, 'kilo_pass', 'active', 10, 'x', '{"key":"other","product":"kilo_pass"}', repeat('a', 64), 'a', 'n', now());
              INSERT INTO programs VALUES ('other', 'kilo_pass', 1, 'active', 10, now(), now());`)
      .catch((e: { parent?: { constraint?: string } }) => e.parent?.constraint);
    expect(violation).toBe('programs_one_active_per_product_priority');
    await expect(db.sequelize.query("UPDATE programs SET product = 'tutoring' WHERE key = 'kilo-pass-referrals'")).rejects.toThrow(/product never changes/);
    await expect(db.sequelize.query("DELETE FROM programs WHERE key = 'kilo-pass-referrals'")).rejects.toThrow(/never deleted/);
  });
});
