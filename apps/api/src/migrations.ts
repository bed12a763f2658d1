import { dbMigrations, type MigrationSource } from '@referrals/db';
import { impactSyncMigrations } from '@referrals/impact-sync';
import { ledgerMigrations } from '@referrals/ledger';

/**
 * Every lib's migrations, which `npm run migrate` applies in timestamp order and `/readyz`
 * expects applied. A lib that owns tables adds its source here.
 */
export const allMigrationSources: readonly MigrationSource[] = [dbMigrations, ledgerMigrations, impactSyncMigrations];
