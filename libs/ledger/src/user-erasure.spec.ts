import { createTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { allowErasureInTransaction, erasedUserPseudonym } from '@referrals/sql';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getBeneficiaryBalances, listRewards } from './read-models';
import { grantInput } from './testing/ledger-fixtures';
import { pseudonymizeLedgerUser } from './user-erasure';
import { verifyLedger } from './verify-ledger';

/**
 * Issue 15: an erased user's ledger rows keep every amount under a pseudonym; the history guards
 * let that through only inside an erasure's transaction, and never a DELETE.
 */
describe('pseudonymizeLedgerUser', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ sources: [ledgerMigrations], label: 'ledger_erasure' });
  }, 60_000);
  afterAll(async () => {
    await db.drop();
  });

  it('replaces the referee id by its pseudonym in accounts and rewards; balances and verifyLedger are unchanged; a second run finds nothing', async () => {
    const input = grantInput();
    await grantRewards(db.sequelize, input);
    const balances = await getBeneficiaryBalances(db.sequelize, input.refereeId);
    const pseudonym = erasedUserPseudonym('test-secret-0123456789', input.refereeId);
    const erase = () =>
      db.sequelize.transaction(async (t) => {
        await allowErasureInTransaction(db.sequelize, t);
        return pseudonymizeLedgerUser(db.sequelize, t, { userId: input.refereeId, pseudonym });
      });

    const counts = await erase();
    expect(counts).toMatchObject({ ledger_accounts: { anonymized: 1, deleted: 0 }, ledger_rewards: { anonymized: 2, deleted: 0 } });
    expect(await listRewards(db.sequelize, { beneficiaryId: input.refereeId })).toEqual([]);
    expect(await getBeneficiaryBalances(db.sequelize, pseudonym)).toEqual(balances);
    const [referrerReward] = await listRewards(db.sequelize, { beneficiaryId: input.referrerId });
    expect(referrerReward).toMatchObject({ refereeId: pseudonym, referrerId: input.referrerId });
    expect(await verifyLedger(db.sequelize)).toEqual([]);
    expect(Object.values(await erase()).every((c) => c.anonymized === 0 && c.deleted === 0)).toBe(true);
  });

  it('outside an erasure the guards refuse the same change, and inside one a DELETE is still refused', async () => {
    const input = grantInput();
    await grantRewards(db.sequelize, input);
    await expect(db.sequelize.query(`UPDATE ledger_accounts SET owner_id = 'someone-else' WHERE owner_id = $1`, { bind: [input.refereeId] })).rejects.toThrow(
      /never deleted and only its posted totals may change/,
    );
    await expect(
      db.sequelize.transaction(async (t) => {
        await allowErasureInTransaction(db.sequelize, t);
        await db.sequelize.query(`DELETE FROM ledger_rewards WHERE beneficiary_id = $1`, { bind: [input.refereeId], transaction: t });
      }),
    ).rejects.toThrow(/never deleted/);
    // The setting lived in that transaction only.
    await expect(db.sequelize.query(`UPDATE ledger_rewards SET referee_id = 'x' WHERE referee_id = $1`, { bind: [input.refereeId] })).rejects.toThrow(/only its status/);
  });
});
