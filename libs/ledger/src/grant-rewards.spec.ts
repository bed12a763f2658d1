import { useTestDatabase } from '@referrals/db/testing';
import { ledgerMigrations } from './ledger.migrations';
import { grantRewards } from './grant-rewards';
import { expectLedgerSound, grantInput } from './testing/ledger-fixtures';

describe('grantRewards', () => {
  const db = useTestDatabase([ledgerMigrations]);

  it('grants both roles of one conversion', async () => {
    const result = await grantRewards(db.sequelize, grantInput());
    expect(result.rewards.map((r) => r.status)).toEqual(['pending', 'pending']);
    await expectLedgerSound(db.sequelize);
  });
});
