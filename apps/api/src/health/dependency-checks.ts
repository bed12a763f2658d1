import { type MigrationSource, pendingMigrations, pingDatabase } from '@referrals/db';
import { outboxBacklog } from '@referrals/outbox';
import { type Sequelize } from 'sequelize';
import { type ReadinessCheck, type ReadinessDetail } from './readiness';

export function postgresCheck(sequelize: Sequelize): ReadinessCheck {
  return { name: 'postgres', check: () => pingDatabase(sequelize) };
}

/** Not ready while any migration of any lib is unapplied: the code would meet an older schema. */
export function migrationsCheck(sequelize: Sequelize, sources: readonly MigrationSource[]): ReadinessCheck {
  return {
    name: 'migrations',
    async check() {
      const pending = await pendingMigrations(sequelize, sources);
      if (pending.length > 0) throw new Error(`${pending.length} pending: ${pending.slice(0, 3).join(', ')}`);
    },
  };
}

/**
 * The outbox backlog, shown by `/readyz` without failing it: the api does not need Temporal to take
 * traffic (its Temporal work waits in the outbox), but a growing backlog is worth seeing there.
 */
export function outboxDetail(sequelize: Sequelize): ReadinessDetail {
  return { name: 'outbox', read: () => outboxBacklog(sequelize) };
}
