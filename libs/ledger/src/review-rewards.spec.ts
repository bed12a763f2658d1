import { useTestDatabase } from '@referrals/db/testing';
import { recordAdversePayment } from './adverse-payments';
import { applyRewardToIssuance } from './apply-reward';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getRewardHistory } from './read-models';
import { releaseReward, resolveReview } from './review-rewards';
import { daysAfter, expectLedgerSound, fixedOutcome, grantInput, T0, tableCounts, uniqueId, defined } from './testing/ledger-fixtures';

describe('resolveReview and releaseReward', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  /** An applied referrer reward whose payment was then charged back (review_required). */
  async function underReview(referrerCap = 5): Promise<{ rewardId: string; referrerId: string }> {
    const input = grantInput({ referrerCap, outcomes: [fixedOutcome('referrer')] });
    const { rewards } = await grantRewards(db.sequelize, input);
    await applyRewardToIssuance(db.sequelize, {
      issuanceId: uniqueId('iss'),
      beneficiaryId: input.referrerId,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 30),
      asOf: daysAfter(T0, 30),
      actor: 'workflow',
    });
    await recordAdversePayment(db.sequelize, { noticeId: uniqueId('n'), paymentId: input.conversionId, kind: 'chargeback', occurredAt: T0, actor: 'billing' });
    return { rewardId: defined(rewards[0]).id, referrerId: input.referrerId };
  }

  it('keeps a reviewed reward: back to applied, audited with the operator and reason, no booking', async () => {
    const { rewardId } = await underReview();
    const before = (await getRewardHistory(db.sequelize, rewardId)).transactions.length;
    const result = await resolveReview(db.sequelize, {
      rewardId,
      decision: 'keep',
      actor: 'operator:alice',
      reason: 'chargeback won',
      externalIds: { ticket_id: 'T-9' },
    });
    expect(result).toMatchObject({ replayed: false, reward: { status: 'applied' } });
    const history = await getRewardHistory(db.sequelize, rewardId);
    expect(history.events.at(-1)).toMatchObject({
      fromStatus: 'review_required',
      toStatus: 'applied',
      operation: 'resolve_review_keep',
      actor: 'operator:alice',
      reason: 'chargeback won',
      externalIds: expect.objectContaining({ ticket_id: 'T-9' }),
    });
    expect(history.transactions).toHaveLength(before);
  });

  it('reverses a reviewed reward: booked from applied to reversed, and the cap slot is given back', async () => {
    const { rewardId, referrerId } = await underReview(1);
    expect((await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }))).rewards[0]?.status).toBe('cap_limited');
    await resolveReview(db.sequelize, { rewardId, decision: 'reverse', actor: 'operator:bob', reason: 'confirmed fraud' });
    const history = await getRewardHistory(db.sequelize, rewardId);
    expect(history.reward.status).toBe('reversed');
    expect(history.transactions.at(-1)?.entries.map((e) => [e.account.kind, e.side])).toEqual([
      ['applied', 'debit'],
      ['reversed', 'credit'],
    ]);
    expect((await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }))).rewards[0]?.status).toBe('pending');
  });

  it('replays the same decision and refuses the opposite one once resolved', async () => {
    const { rewardId } = await underReview();
    const input = { rewardId, decision: 'reverse' as const, actor: 'operator:bob', reason: 'fraud' };
    const first = await resolveReview(db.sequelize, input);
    const before = await tableCounts(db.sequelize);
    expect(await resolveReview(db.sequelize, input)).toEqual({ ...first, replayed: true });
    expect(await tableCounts(db.sequelize)).toEqual(before);
    await expect(resolveReview(db.sequelize, { ...input, decision: 'keep' })).rejects.toMatchObject({
      code: 'reward_transition_illegal',
      details: { from: 'reversed', to: 'applied' },
    });
  });

  it('refuses to resolve a reward that is not under review, and an unknown reward', async () => {
    const { rewards } = await grantRewards(db.sequelize, grantInput());
    await expect(
      resolveReview(db.sequelize, { rewardId: defined(rewards[0]).id, decision: 'keep', actor: 'op', reason: 'x' }),
    ).rejects.toMatchObject({ code: 'reward_transition_illegal', details: { from: 'pending' } });
    await expect(resolveReview(db.sequelize, { rewardId: '999999999', decision: 'keep', actor: 'op', reason: 'x' })).rejects.toMatchObject({
      code: 'reward_not_found',
    });
    await expect(resolveReview(db.sequelize, { rewardId: 'abc', decision: 'keep', actor: 'op', reason: 'x' })).rejects.toMatchObject({
      code: 'input_invalid',
    });
  });

  it('releases an earned reward into the queue once; a retry is a replay', async () => {
    const { rewards } = await grantRewards(
      db.sequelize,
      grantInput({ outcomes: [fixedOutcome('referee', { initialStatus: 'earned' })] }),
    );
    const input = { rewardId: defined(rewards[0]).id, actor: 'system:hold-period', reason: 'refund window passed' };
    expect(await releaseReward(db.sequelize, input)).toMatchObject({ replayed: false, reward: { status: 'pending' } });
    expect(await releaseReward(db.sequelize, input)).toMatchObject({ replayed: true, reward: { status: 'pending' } });
  });
});
