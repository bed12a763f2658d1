import pg from 'pg';
import { type Migration, type MigrationContext, type MigrationSource } from '@referrals/sql';
import { type Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

const MIGRATION_NAME = /^\d{12}-[a-z0-9-]+$/;
/** Any fixed 64-bit number: serialises concurrent migrators (api replicas starting together). */
const MIGRATION_LOCK_KEY = 724_215_001;

export class MigrationDefinitionError extends Error {
  readonly code = 'migration_definition_invalid';
}

/** Flattens the sources into one ordered list: by timestamp, then owner, then name. */
export function orderMigrations(sources: readonly MigrationSource[]): { name: string; migration: Migration }[] {
  const seen = new Set<string>();
  const all = sources.flatMap((source) =>
    source.migrations.map((migration) => {
      if (!MIGRATION_NAME.test(migration.name)) {
        throw new MigrationDefinitionError(
          `migration "${source.owner}/${migration.name}" must be named YYYYMMDDHHmm-kebab-case`,
        );
      }
      const name = `${source.owner}/${migration.name}`;
      if (seen.has(name)) throw new MigrationDefinitionError(`migration "${name}" is defined twice`);
      seen.add(name);
      return { name, migration, sortKey: `${migration.name.slice(0, 12)}|${source.owner}|${migration.name}` };
    }),
  );
  all.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  return all.map(({ name, migration }) => ({ name, migration }));
}

/** An umzug migrator over every given source, recording applied names in `schema_migrations`. */
export function createMigrator(sequelize: Sequelize, sources: readonly MigrationSource[]): Umzug<MigrationContext> {
  const ordered = orderMigrations(sources);
  return new Umzug<MigrationContext>({
    migrations: ordered.map(({ name, migration }) => ({
      name,
      up: ({ context }) => migration.up(context),
      down: ({ context }) => migration.down(context),
    })),
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/**
 * Holds a Postgres advisory lock on its own connection while `fn` runs, so two processes
 * migrating the same database run one after the other instead of racing on DDL.
 */
async function withMigrationLock<T>(sequelize: Sequelize, fn: () => Promise<T>): Promise<T> {
  const { host, port, username, password, database } = sequelize.config;
  const client = new pg.Client({ host, port: Number(port), user: username, password: password ?? undefined, database });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await fn();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

/** Applies every pending migration in order; running it again applies nothing. Returns the names applied. */
export async function migrateUp(sequelize: Sequelize, sources: readonly MigrationSource[]): Promise<string[]> {
  return withMigrationLock(sequelize, async () => {
    const applied = await createMigrator(sequelize, sources).up();
    return applied.map((m) => m.name);
  });
}

/** Reverts migrations, newest first: one step by default, or all of them with `{ to: 0 }`. */
export async function migrateDown(
  sequelize: Sequelize,
  sources: readonly MigrationSource[],
  options: { to?: 0 | string; step?: number } = {},
): Promise<string[]> {
  return withMigrationLock(sequelize, async () => {
    const migrator = createMigrator(sequelize, sources);
    const reverted =
      options.to !== undefined ? await migrator.down({ to: options.to }) : await migrator.down({ step: options.step ?? 1 });
    return reverted.map((m) => m.name);
  });
}

/** Names of the migrations not yet applied; readiness reports "not ready" while any remain. */
export async function pendingMigrations(sequelize: Sequelize, sources: readonly MigrationSource[]): Promise<string[]> {
  const pending = await createMigrator(sequelize, sources).pending();
  return pending.map((m) => m.name);
}

export type { Migration, MigrationContext, MigrationSource };
