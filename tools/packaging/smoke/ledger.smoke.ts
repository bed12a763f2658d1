/*
 * Runs outside the workspace against the installed tarballs: the ledger's migrations on a fresh
 * PostgreSQL database (DATABASE_URL's server), one Kilo-Pass-like grant, a retry of it, and the
 * ledger's own verification.
 */
import { createTestDatabase } from '@referrals/db/testing';
import { grantRewards, ledgerMigrations, listRewards, verifyLedger, type GrantRewardsInput } from '@referrals/ledger';

async function main(): Promise<void> {
  const db = await createTestDatabase({ sources: [ledgerMigrations], label: 'pack_check_ledger' });
  try {
    const outcome = (role: 'referrer' | 'referee') =>
      ({
        role,
        decision: 'grant',
        kind: 'fixed',
        amountMinor: 2450,
        unit: 'USD',
        initialStatus: 'pending',
        expiresAt: null,
        reason: 'rule 1: first paid monthly tier_49 payment',
      }) as const;
    const input: GrantRewardsInput = {
      programKey: 'kilo-pass',
      programVersion: 1,
      product: 'kilo_pass',
      conversionId: 'stripe:in_pack_check',
      referralId: 'ref-pack-check',
      referrerId: 'referrer-pack-check',
      refereeId: 'referee-pack-check',
      earnedAt: new Date('2026-01-15T10:00:00.000Z'),
      sourceTier: 'tier_49',
      referrerCap: 5,
      outcomes: [outcome('referrer'), outcome('referee')],
      actor: 'pack-check',
    };
    await grantRewards(db.sequelize, input);
    await grantRewards(db.sequelize, input); // a retried grant books nothing twice
    const rewards = await listRewards(db.sequelize, { programKey: 'kilo-pass' });
    const violations = await verifyLedger(db.sequelize);
    const summary = rewards.map((r) => `${r.role}:${r.amountMinor}:${r.status}`).sort();
    if (summary.join(',') !== 'referee:2450:pending,referrer:2450:pending' || violations.length !== 0) {
      throw new Error(`unexpected ledger state: ${JSON.stringify({ summary, violations })}`);
    }
    console.log(`ledger: migrated a fresh database, granted twice -> ${summary.join(', ')}; verifyLedger: no violation`);
  } finally {
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
