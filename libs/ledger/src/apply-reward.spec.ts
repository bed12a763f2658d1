import { useTestDatabase } from '@referrals/db/testing';
import { applyRewardToIssuance, type ApplyRewardInput } from './apply-reward';
import { claimIssuanceBonusSlot } from './bonus-slot';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getBeneficiaryBalances, getRewardHistory } from './read-models';
import {
  daysAfter,
  expectLedgerSound,
  fixedOutcome,
  grantInput,
  T0,
  tableCounts,
  uniqueId,
  widePool, defined } from './testing/ledger-fixtures';

describe('applyRewardToIssuance', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  /** Grants `count` referee rewards to one user, earned a day apart from `from`. */
  async function rewardsFor(refereeId: string, count: number, from = T0): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { rewards } = await grantRewards(
        db.sequelize,
        grantInput({ refereeId, earnedAt: daysAfter(from, i), outcomes: [fixedOutcome('referee', { expiresAt: daysAfter(from, 365 + i) })] }),
      );
      ids.push(defined(rewards[0]).id);
    }
    return ids;
  }

  function issuance(beneficiaryId: string, overrides: Partial<ApplyRewardInput> = {}): ApplyRewardInput {
    return {
      issuanceId: uniqueId('iss'),
      beneficiaryId,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 30),
      asOf: daysAfter(T0, 30),
      actor: 'workflow:issuance-bonus',
      ...overrides,
    };
  }

  it('consumes the oldest pending reward, one per issuance, and records the issuance on both sides', async () => {
    const user = uniqueId('user');
    const [oldest, second] = await rewardsFor(user, 3);
    const first = await applyRewardToIssuance(db.sequelize, issuance(user));
    expect(first).toMatchObject({ outcome: 'applied', replayed: false, reward: { id: oldest, status: 'applied' } });
    if (first.outcome !== 'applied') throw new Error('expected applied');
    expect(first.reward.consumedByIssuanceId).toBe(first.issuanceId);
    expect(first.item).toMatchObject({ itemKind: 'referral_bonus', rewardId: oldest, issuanceId: first.issuanceId });
    const next = await applyRewardToIssuance(db.sequelize, issuance(user));
    expect(next).toMatchObject({ outcome: 'applied', reward: { id: second } });
    expect(await getBeneficiaryBalances(db.sequelize, user)).toEqual([
      { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 2450, openRewards: 1 },
    ]);
    const history = await getRewardHistory(db.sequelize, defined(oldest));
    expect(history.events.at(-1)).toMatchObject({
      fromStatus: 'pending',
      toStatus: 'applied',
      operation: 'apply_to_issuance',
      externalIds: expect.objectContaining({ issuance_id: first.issuanceId }),
    });
    expect(history.transactions.at(-1)?.entries).toEqual([
      { account: { kind: 'beneficiary', programKey: 'kilo-pass', beneficiaryId: user }, side: 'debit', amountMinor: 2450 },
      { account: { kind: 'applied', programKey: 'kilo-pass' }, side: 'credit', amountMinor: 2450 },
    ]);
  });

  it('returns the same reward when the same issuance is applied again, writing nothing', async () => {
    const user = uniqueId('user');
    await rewardsFor(user, 2);
    const input = issuance(user);
    const first = await applyRewardToIssuance(db.sequelize, input);
    const before = await tableCounts(db.sequelize);
    const again = await applyRewardToIssuance(db.sequelize, { ...input, actor: 'another-worker', asOf: daysAfter(T0, 31) });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await tableCounts(db.sequelize)).toEqual(before);
  });

  it('applies one reward when the same issuance is applied 5 times concurrently', async () => {
    const pool = widePool(db.databaseUrl, 5);
    try {
      const user = uniqueId('user');
      await rewardsFor(user, 3);
      const input = issuance(user);
      const results = await Promise.all(Array.from({ length: 5 }, () => applyRewardToIssuance(pool, input)));
      const rewardIds = new Set(results.map((r) => (r.outcome === 'applied' ? r.reward.id : r.outcome)));
      expect(rewardIds.size).toBe(1);
      expect(results.filter((r) => r.outcome === 'applied' && !r.replayed)).toHaveLength(1);
      expect((await getBeneficiaryBalances(db.sequelize, user))[0]?.openRewards).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('gives concurrent issuances of one beneficiary different rewards, oldest first', async () => {
    const pool = widePool(db.databaseUrl, 4);
    try {
      const user = uniqueId('user');
      const ids = await rewardsFor(user, 4);
      const results = await Promise.all(Array.from({ length: 6 }, () => applyRewardToIssuance(pool, issuance(user))));
      const applied = results.flatMap((r) => (r.outcome === 'applied' ? [r.reward.id] : []));
      expect(applied.sort()).toEqual([...ids].sort());
      expect(results.filter((r) => r.outcome === 'no_reward_available')).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });

  it('never applies a reward earned after the issuance was created', async () => {
    const user = uniqueId('user');
    await rewardsFor(user, 1, daysAfter(T0, 40));
    expect(await applyRewardToIssuance(db.sequelize, issuance(user))).toMatchObject({ outcome: 'no_reward_available' });
    const exactly = await applyRewardToIssuance(db.sequelize, issuance(user, { issuanceCreatedAt: daysAfter(T0, 40) }));
    expect(exactly.outcome).toBe('applied');
  });

  it('[123] with includeRefereeRewards false (a first-time subscriber\'s first issuance) skips referee rewards but still applies one earned as a referrer', async () => {
    const user = uniqueId('user');
    await rewardsFor(user, 1, T0);
    expect(await applyRewardToIssuance(db.sequelize, issuance(user, { includeRefereeRewards: false }))).toMatchObject({ outcome: 'no_reward_available' });
    const asReferrer = await grantRewards(db.sequelize, grantInput({ referrerId: user, earnedAt: daysAfter(T0, 1) }));
    const referrerReward = asReferrer.rewards.find((r) => r.role === 'referrer');
    expect(await applyRewardToIssuance(db.sequelize, issuance(user, { includeRefereeRewards: false }))).toMatchObject({ outcome: 'applied', reward: { id: referrerReward?.id, role: 'referrer' } });
  });

  it('never applies an expired reward, nor one of another product or beneficiary, nor an earned (unreleased) one', async () => {
    const user = uniqueId('user');
    await rewardsFor(user, 1);
    expect(await applyRewardToIssuance(db.sequelize, issuance(user, { asOf: daysAfter(T0, 365) }))).toMatchObject({
      outcome: 'no_reward_available',
    });
    expect(await applyRewardToIssuance(db.sequelize, issuance(user, { product: 'other-product' }))).toMatchObject({
      outcome: 'no_reward_available',
    });
    expect(await applyRewardToIssuance(db.sequelize, issuance(uniqueId('user')))).toMatchObject({ outcome: 'no_reward_available' });
    const held = uniqueId('user');
    await grantRewards(db.sequelize, grantInput({ refereeId: held, outcomes: [fixedOutcome('referee', { initialStatus: 'earned' })] }));
    expect(await applyRewardToIssuance(db.sequelize, issuance(held))).toMatchObject({ outcome: 'no_reward_available' });
  });

  it('answers slot_taken when another bonus-like item holds the issuance slot, and consumes nothing', async () => {
    const user = uniqueId('user');
    await rewardsFor(user, 1);
    const input = issuance(user);
    await claimIssuanceBonusSlot(db.sequelize, {
      issuanceId: input.issuanceId,
      itemKind: 'promo_first_month_50pct',
      claimKey: uniqueId('claim'),
      actor: 'workflow',
      reason: 'welcome promo',
    });
    expect(await applyRewardToIssuance(db.sequelize, input)).toMatchObject({
      outcome: 'slot_taken',
      heldBy: { itemKind: 'promo_first_month_50pct' },
    });
    expect((await getBeneficiaryBalances(db.sequelize, user))[0]?.openRewards).toBe(1);
  });

  it('refuses the same issuance id with another beneficiary or creation time: exists_with_different_content', async () => {
    const user = uniqueId('user');
    const input = issuance(user);
    await applyRewardToIssuance(db.sequelize, input);
    await expect(applyRewardToIssuance(db.sequelize, { ...input, beneficiaryId: uniqueId('user') })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
    await expect(applyRewardToIssuance(db.sequelize, { ...input, issuanceCreatedAt: T0 })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
  });
});
