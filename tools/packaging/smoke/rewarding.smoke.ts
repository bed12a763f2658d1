/*
 * Runs outside the workspace against the installed tarballs: every table-owning lib's migrations
 * (the set the api applies) on a fresh PostgreSQL database, and rewarding's exact money parsing.
 */
import { attributionMigrations } from '@referrals/attribution';
import { dbMigrations } from '@referrals/db';
import { createTestDatabase } from '@referrals/db/testing';
import { impactSyncMigrations } from '@referrals/impact-sync';
import { ledgerMigrations } from '@referrals/ledger';
import { outboxMigrations } from '@referrals/outbox';
import { programsMigrations } from '@referrals/programs';
import { DECISION_CODES, majorToMinor } from '@referrals/rewarding';
import { QueryTypes } from 'sequelize';

async function main(): Promise<void> {
  const sources = [dbMigrations, ledgerMigrations, programsMigrations, attributionMigrations, impactSyncMigrations, outboxMigrations];
  const db = await createTestDatabase({ sources, label: 'pack_check_rewarding' });
  try {
    const [row] = await db.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
      { type: QueryTypes.SELECT },
    );
    const tables = row?.n ?? 0;
    const cents = majorToMinor('24.50', 'USD');
    if (tables < 10 || cents !== 2450 || DECISION_CODES.length === 0) {
      throw new Error(`unexpected: ${JSON.stringify({ tables, cents })}`);
    }
    console.log(`rewarding: every lib's migrations applied (${tables} tables); 24.50 USD -> ${cents} minor units; ${DECISION_CODES.length} decision codes`);
  } finally {
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
