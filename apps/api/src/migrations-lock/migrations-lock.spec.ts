import { type Migration, type MigrationSource } from '@referrals/db';
import { allMigrationSources } from '../migrations';
import { hashMigrations, lockCommand, lockViolations, readLock, recordStatements } from './migrations-lock';

function sqlMigration(name: string, upSql: string, downSql: string): Migration {
  return {
    name,
    up: async ({ sequelize }) => void (await sequelize.query(upSql)),
    down: async ({ sequelize }) => void (await sequelize.query(downSql)),
  };
}

describe('migrations.lock.json: migrations are immutable once on main', () => {
  it('every migration of every lib matches its locked hash (no landed migration was edited, none is unlocked)', async () => {
    const violations = lockViolations(readLock(), await hashMigrations(allMigrationSources));
    // On failure the messages say what to do: add a new migration, or run the lock command for a new one.
    expect(violations).toEqual([]);
  });

  it('a landed migration whose SQL changed fails with "add a new migration instead"', async () => {
    const landed: MigrationSource = { owner: 'things', migrations: [sqlMigration('202601010000-create-things', 'CREATE TABLE things (id int)', 'DROP TABLE things')] };
    const edited: MigrationSource = { owner: 'things', migrations: [sqlMigration('202601010000-create-things', 'CREATE TABLE things (id bigint)', 'DROP TABLE things')] };
    const violations = lockViolations(await hashMigrations([landed]), await hashMigrations([edited]));
    expect(violations).toEqual([expect.stringContaining('things/202601010000-create-things changed after it landed')]);
    expect(violations[0]).toContain('add a new migration instead');
  });

  it('a new migration not yet in the lock fails and names the command that adds it', async () => {
    const first = sqlMigration('202601010000-create-things', 'CREATE TABLE things (id int)', 'DROP TABLE things');
    const second = sqlMigration('202601020000-index-things', 'CREATE INDEX things_id ON things (id)', 'DROP INDEX things_id');
    const violations = lockViolations(
      await hashMigrations([{ owner: 'things', migrations: [first] }]),
      await hashMigrations([{ owner: 'things', migrations: [first, second] }]),
    );
    expect(violations).toEqual([expect.stringContaining('new migration things/202601020000-index-things')]);
    expect(violations[0]).toContain(lockCommand);
  });

  it('a landed migration that disappeared fails (landed migrations are never removed)', async () => {
    const first = sqlMigration('202601010000-create-things', 'CREATE TABLE things (id int)', 'DROP TABLE things');
    const violations = lockViolations(await hashMigrations([{ owner: 'things', migrations: [first] }]), {});
    expect(violations).toEqual([expect.stringContaining('no longer exists')]);
  });

  it('re-indenting a migration\'s SQL is not a change; rewording it is', async () => {
    const hash = async (up: string, down: string) =>
      (await hashMigrations([{ owner: 'things', migrations: [sqlMigration('202601010000-create-things', up, down)] }]))[
        'things/202601010000-create-things'
      ];
    const compact = await hash('CREATE TABLE things (id int)', 'DROP TABLE things');
    expect(await hash('\n      CREATE  TABLE things\n        (id int)\n', '  DROP TABLE things ')).toBe(compact);
    expect(await hash('CREATE TABLE things (id int)', 'DROP TABLE IF EXISTS things')).not.toBe(compact);
  });

  it('records the SQL of every migration both ways, including those written with queryInterface helpers', async () => {
    for (const source of allMigrationSources) {
      for (const migration of source.migrations) {
        const up = await recordStatements((context) => migration.up(context));
        const down = await recordStatements((context) => migration.down(context));
        expect({ migration: `${source.owner}/${migration.name}`, up: up.length > 0, down: down.length > 0 }).toEqual({
          migration: `${source.owner}/${migration.name}`,
          up: true,
          down: true,
        });
      }
    }
    const [createTable] = await recordStatements((context) =>
      allMigrationSources.find((s) => s.owner === 'db')!.migrations[0]!.up(context),
    );
    expect(createTable).toMatch(/^CREATE TABLE IF NOT EXISTS "idempotency_keys"/);
  });
});
