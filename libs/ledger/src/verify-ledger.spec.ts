import { type Sequelize } from 'sequelize';
import { createTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { applyRewardToIssuance } from './apply-reward';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { postTransaction } from './post-transactions';
import { verifyLedger, type LedgerViolationCode } from './verify-ledger';
import { daysAfter, grantInput, T0, uniqueId, defined } from './testing/ledger-fixtures';

/**
 * verifyLedger must notice every kind of damage. The damage is done by hand, as a superuser with
 * triggers switched off (session_replication_role = replica), which is the only way past the
 * database's own guards: normal code paths cannot produce any of it.
 */
describe('verifyLedger', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase({ sources: [ledgerMigrations], label: 'verify_ledger' });
  }, 60_000);
  afterEach(async () => {
    await db.drop();
  });

  async function tamper(sequelize: Sequelize, sql: string): Promise<void> {
    await sequelize.transaction(async (t) => {
      await sequelize.query('SET LOCAL session_replication_role = replica', { transaction: t });
      await sequelize.query(sql, { transaction: t });
    });
  }

  async function codes(): Promise<LedgerViolationCode[]> {
    return [...new Set((await verifyLedger(db.sequelize)).map((v) => v.code))].sort();
  }

  async function scenario(): Promise<{ referrerId: string; rewardIds: string[]; conversionId: string }> {
    const input = grantInput();
    const { rewards } = await grantRewards(db.sequelize, input);
    return { referrerId: input.referrerId, rewardIds: rewards.map((r) => r.id), conversionId: input.conversionId };
  }

  it('finds nothing wrong in a ledger written by the operations', async () => {
    await scenario();
    expect(await verifyLedger(db.sequelize)).toEqual([]);
  });

  it('finds an unbalanced transaction', async () => {
    await scenario();
    await tamper(db.sequelize, "UPDATE ledger_entries SET amount_minor = amount_minor + 1 WHERE side = 'debit' AND transaction_id = (SELECT min(transaction_id) FROM ledger_entries)");
    expect(await codes()).toContain('transaction_unbalanced');
  });

  it('finds an entry whose account is missing or in another unit', async () => {
    await scenario();
    await tamper(db.sequelize, "UPDATE ledger_entries SET account_id = 424242 WHERE side = 'credit' AND transaction_id = (SELECT min(transaction_id) FROM ledger_entries)");
    expect(await codes()).toContain('entry_account_mismatch');
  });

  it('finds stored totals that disagree with the entries', async () => {
    await scenario();
    await tamper(db.sequelize, "UPDATE ledger_accounts SET credits_posted_minor = credits_posted_minor + 7 WHERE kind = 'beneficiary'");
    expect(await codes()).toEqual(['account_totals_disagree_with_entries']);
  });

  it('finds an untracked system account below its floor', async () => {
    await postTransaction(db.sequelize, {
      idempotencyKey: uniqueId('k'),
      kind: 'correction',
      unit: 'USD',
      reason: 'a bad manual correction',
      actor: 'operator',
      entries: [
        { account: { kind: 'applied', programKey: 'kilo-pass' }, side: 'debit', amountMinor: 5 },
        { account: { kind: 'program_liability', programKey: 'kilo-pass' }, side: 'credit', amountMinor: 5 },
      ],
    });
    expect(await codes()).toEqual(['account_below_floor']);
  });

  it('finds a reward whose state moved without its booking and audit row', async () => {
    const { rewardIds } = await scenario();
    await tamper(db.sequelize, `UPDATE ledger_rewards SET status = 'canceled' WHERE id = ${rewardIds[0]}`);
    expect(await codes()).toEqual(['referrer_cap_count_mismatch', 'reward_audit_disagrees_with_state', 'reward_bookings_disagree_with_state']);
  });

  it('finds bookings on a decision that granted nothing', async () => {
    const input = grantInput({ referrerCap: 0 });
    const { rewards } = await grantRewards(db.sequelize, input);
    await tamper(db.sequelize, `UPDATE ledger_transactions SET reward_id = ${defined(rewards[0]).id} WHERE reward_id = ${defined(rewards[1]).id}`);
    expect(await codes()).toEqual(['reward_bookings_disagree_with_state']);
  });

  it('finds a cap counter that disagrees with the rewards, and a reward beyond its cap', async () => {
    const { referrerId } = await scenario();
    await grantRewards(db.sequelize, grantInput({ referrerId }));
    await tamper(db.sequelize, `UPDATE ledger_referrer_caps SET granted_count = 7`);
    await tamper(db.sequelize, `UPDATE ledger_rewards SET referrer_cap = 1 WHERE referrer_id = '${referrerId}' AND role = 'referrer'`);
    expect(await codes()).toEqual(['referrer_cap_count_mismatch', 'referrer_cap_exceeded']);
  });

  it('finds a consumed reward without its issuance item', async () => {
    const input = grantInput();
    await grantRewards(db.sequelize, input);
    await applyRewardToIssuance(db.sequelize, {
      issuanceId: 'iss-1',
      beneficiaryId: input.refereeId,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 3),
      asOf: daysAfter(T0, 3),
      actor: 'workflow',
    });
    await tamper(db.sequelize, "DELETE FROM ledger_issuance_items WHERE issuance_id = 'iss-1'");
    expect(await codes()).toEqual(['reward_consumption_disagrees_with_issuance']);
  });

  it('finds a reward left open after its payment had an adverse notice', async () => {
    const { conversionId } = await scenario();
    await db.sequelize.query(
      `INSERT INTO ledger_adverse_notices (notice_id, payment_id, kind, occurred_at, content_hash, first_for_payment, changes, actor, reason)
       VALUES ('n-1', $1, 'refund', now(), 'h', true, '[]', 'hand', 'inserted by hand')`,
      { bind: [conversionId] },
    );
    expect(await codes()).toEqual(['adverse_notice_disagrees_with_conversion', 'adverse_payment_left_reward_open']);
  });
});
