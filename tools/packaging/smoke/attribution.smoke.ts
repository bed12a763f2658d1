/*
 * Runs outside the workspace against the installed tarballs: attribution's tables (after the
 * programs tables they reference) on a fresh PostgreSQL database, and the pure conversion-time
 * resolver deciding between a referral and an affiliate touch.
 */
import { attributionMigrations, resolveAttribution } from '@referrals/attribution';
import { createTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { QueryTypes } from 'sequelize';

async function main(): Promise<void> {
  const db = await createTestDatabase({ sources: [programsMigrations, attributionMigrations], label: 'pack_check_attribution' });
  try {
    const tables = await db.sequelize.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'attribution%' ORDER BY 1`,
      { type: QueryTypes.SELECT },
    );
    const conversionAt = new Date('2026-03-10T12:00:00Z');
    const outcome = resolveAttribution(
      [
        { id: 'affiliate-1', kind: 'affiliate', touchedAt: new Date('2026-03-01T09:00:00Z'), accepted: true },
        { id: 'referral-1', kind: 'referral', touchedAt: new Date('2026-03-05T09:00:00Z'), accepted: true },
      ],
      conversionAt,
    );
    if (tables.length === 0 || outcome.winner !== 'referral' || outcome.touch?.id !== 'referral-1') {
      throw new Error(`unexpected attribution: ${JSON.stringify({ tables, outcome })}`);
    }
    console.log(`attribution: ${tables.length} attribution tables migrated; referral vs affiliate -> ${outcome.winner} (${outcome.reason})`);
  } finally {
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
