import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Sequelize } from 'sequelize';
import { type MigrationContext, type MigrationSource } from '@referrals/db';

/**
 * Migrations are immutable once they land on main: a database migrated by an earlier release never
 * runs an edited migration again, so an edit would leave it different from a fresh one.
 *
 * What is hashed: each migration's `owner/name` plus the SQL statements its `up` and `down`
 * actually send to PostgreSQL, recorded by running them against a Sequelize instance whose
 * `query` only records (no connection). That is stable where it should be (comments, imports,
 * formatting of the TypeScript around the SQL, moving a migration to another file do not change
 * it) and catches every change that would reach a database, including those made through
 * `queryInterface` helpers. Runs of whitespace in a statement are collapsed to one space, so
 * re-indenting a SQL template does not count as a change.
 */

export interface MigrationLock {
  [ownerAndName: string]: string;
}

/** `migrations.lock.json` at the repository root. */
export const migrationsLockPath = resolve(__dirname, '../../../../migrations.lock.json');

/** The command that rewrites the lock (for a NEW migration only). */
export const lockCommand = 'npm run migrations:lock';

export async function recordStatements(run: (context: MigrationContext) => Promise<void>): Promise<string[]> {
  const statements: string[] = [];
  // Never connects: every query is recorded and answered with an empty result.
  const sequelize = new Sequelize('postgres://recorder@127.0.0.1:1/recorder', { logging: false });
  sequelize.query = (async (sql: unknown) => {
    statements.push(typeof sql === 'string' ? sql : JSON.stringify(sql));
    return [[], 0];
  }) as unknown as Sequelize['query'];
  try {
    await run({ queryInterface: sequelize.getQueryInterface(), sequelize });
  } finally {
    await sequelize.close();
  }
  return statements.map((statement) => statement.replace(/\s+/g, ' ').trim());
}

/** `owner/name` -> sha256 of what the migration sends to the database, up then down. */
export async function hashMigrations(sources: readonly MigrationSource[]): Promise<MigrationLock> {
  const entries: [string, string][] = [];
  for (const source of sources) {
    for (const migration of source.migrations) {
      const key = `${source.owner}/${migration.name}`;
      const up = await recordStatements((context) => migration.up(context));
      const down = await recordStatements((context) => migration.down(context));
      const hash = createHash('sha256')
        .update(JSON.stringify({ name: key, up, down }))
        .digest('hex');
      entries.push([key, hash]);
    }
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

export function readLock(path = migrationsLockPath): MigrationLock {
  return JSON.parse(readFileSync(path, 'utf8')) as MigrationLock;
}

export function writeLock(lock: MigrationLock, path = migrationsLockPath): void {
  writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
}

/** Every way `current` breaks the lock, as messages a developer can act on (empty when it holds). */
export function lockViolations(locked: MigrationLock, current: MigrationLock): string[] {
  const problems: string[] = [];
  for (const [key, hash] of Object.entries(current)) {
    const lockedHash = locked[key];
    if (lockedHash === undefined) {
      problems.push(`new migration ${key} is not in migrations.lock.json: run \`${lockCommand}\` and commit the lock`);
    } else if (lockedHash !== hash) {
      problems.push(
        `migration ${key} changed after it landed: revert it and add a new migration instead ` +
          '(a database migrated by an earlier release never runs an edited migration again)',
      );
    }
  }
  for (const key of Object.keys(locked)) {
    if (!(key in current)) {
      problems.push(`migration ${key} is in migrations.lock.json but no longer exists: landed migrations are never removed, add a new migration instead`);
    }
  }
  return problems;
}
