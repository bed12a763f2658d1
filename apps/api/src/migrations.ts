import { attributionMigrations } from '@referrals/attribution';
import { dbMigrations, type MigrationSource } from '@referrals/db';
import { impactSyncMigrations } from '@referrals/impact-sync';
import { ledgerMigrations } from '@referrals/ledger';
import { outboxMigrations } from '@referrals/outbox';
import { programsMigrations } from '@referrals/programs';
import { rewardingMigrations } from '@referrals/rewarding';

/**
 * Every lib's migrations, which `npm run migrate` applies in timestamp order and `/readyz`
 * expects applied. A lib that owns tables adds its source here. (Attribution's tables reference
 * the programs tables; timestamps keep them in that order. impact-sync holds the delivery state
 * the ops endpoints read.)
 */
export const allMigrationSources: readonly MigrationSource[] = [
  dbMigrations,
  ledgerMigrations,
  programsMigrations,
  attributionMigrations,
  impactSyncMigrations,
  outboxMigrations,
  rewardingMigrations,
];
