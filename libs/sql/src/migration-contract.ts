import { type QueryInterface, type Sequelize } from 'sequelize';

/**
 * The migration contract. It lives in this util lib, not in `@referrals/db`, because the domain
 * libs that own tables (ledger, programs, attribution) may not import infrastructure: they declare
 * their migrations against this contract and `@referrals/db` runs them.
 */

/** What a migration receives: the query interface and the Sequelize instance it belongs to. */
export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

/**
 * One schema change. `name` starts with a UTC timestamp (`YYYYMMDDHHmm-`) so that the migrations of
 * every lib interleave in the order they were written; `down` undoes exactly what `up` did.
 */
export interface Migration {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}

/** The migrations a lib contributes, under the lib's name (the prefix stored in `schema_migrations`). */
export interface MigrationSource {
  owner: string;
  migrations: readonly Migration[];
}

/** A migration made of one SQL script each way (PostgreSQL runs a multi-statement string atomically). */
export function sqlMigration(name: string, upSql: string, downSql: string): Migration {
  return {
    name,
    up: async ({ sequelize }) => void (await sequelize.query(upSql)),
    down: async ({ sequelize }) => void (await sequelize.query(downSql)),
  };
}
