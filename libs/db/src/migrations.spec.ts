import { QueryTypes } from 'sequelize';
import { createTestDatabase, type TestDatabase } from './testing';
import { dbMigrations } from './migrations/index';
import {
  MigrationDefinitionError,
  migrateDown,
  migrateUp,
  orderMigrations,
  pendingMigrations,
  type Migration,
  type MigrationSource,
} from './migrations';

/** A migration that creates (and drops) one table, for tests of ordering and reversal. */
function tableMigration(name: string, table: string): Migration {
  return {
    name,
    up: async ({ sequelize }) => void (await sequelize.query(`CREATE TABLE ${table} (id int primary key)`)),
    down: async ({ sequelize }) => void (await sequelize.query(`DROP TABLE ${table}`)),
  };
}

const ledger: MigrationSource = {
  owner: 'ledger',
  migrations: [tableMigration('202611210100-create-accounts', 'accounts'), tableMigration('202611210300-create-rewards', 'rewards')],
};
const attribution: MigrationSource = {
  owner: 'attribution',
  migrations: [tableMigration('202611210200-create-touches', 'touches')],
};
const sources = [dbMigrations, ledger, attribution];

async function tables(db: TestDatabase): Promise<string[]> {
  const rows = await db.sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ label: 'migrations', migrate: false });
  });
  afterEach(async () => {
    await db.drop();
  });

  it('orders the migrations of every lib by their timestamp, whichever lib they come from', () => {
    expect(orderMigrations(sources).map((m) => m.name)).toEqual([
      'db/202611210000-create-idempotency-keys',
      'ledger/202611210100-create-accounts',
      'attribution/202611210200-create-touches',
      'ledger/202611210300-create-rewards',
      'db/202611211600-idempotency-keys-created-at-default',
      'db/202612030100-create-idempotency-claims',
    ]);
  });

  it('rejects a migration without a timestamped kebab-case name', () => {
    const bad: MigrationSource = { owner: 'x', migrations: [tableMigration('create_things', 'things')] };
    expect(() => orderMigrations([bad])).toThrow(MigrationDefinitionError);
  });

  it('applies all pending migrations once: a second run applies nothing', async () => {
    expect(await pendingMigrations(db.sequelize, sources)).toHaveLength(6);
    expect(await migrateUp(db.sequelize, sources)).toHaveLength(6);
    expect(await migrateUp(db.sequelize, sources)).toEqual([]);
    expect(await pendingMigrations(db.sequelize, sources)).toEqual([]);
    expect(await tables(db)).toEqual(['accounts', 'idempotency_claims', 'idempotency_keys', 'rewards', 'touches']);
  });

  it('runs concurrent migrators one after the other (advisory lock), applying each migration once', async () => {
    const [a, b] = await Promise.all([migrateUp(db.sequelize, sources), migrateUp(db.sequelize, sources)]);
    expect([...a, ...b].sort()).toEqual(orderMigrations(sources).map((m) => m.name).sort());
  });

  it('reverts newest first, one step or all the way down, and can migrate up again', async () => {
    await migrateUp(db.sequelize, sources);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['db/202612030100-create-idempotency-claims']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['db/202611211600-idempotency-keys-created-at-default']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['ledger/202611210300-create-rewards']);
    expect(await tables(db)).toEqual(['accounts', 'idempotency_keys', 'touches']);
    expect(await migrateDown(db.sequelize, sources, { to: 0 })).toHaveLength(3);
    expect(await tables(db)).toEqual([]);
    expect(await migrateUp(db.sequelize, sources)).toHaveLength(6);
  });
});
