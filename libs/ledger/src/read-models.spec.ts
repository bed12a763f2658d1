import { useTestDatabase } from '@referrals/db/testing';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { countRewardsByStatus, explainPendingRewards, getBeneficiaryBalances, getRewardHistory, listRewards } from './read-models';
import { releaseReward } from './review-rewards';
import { daysAfter, expectLedgerSound, fixedOutcome, grantInput, T0, uniqueId, defined } from './testing/ledger-fixtures';

describe('read models', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  it('lists rewards by state, beneficiary and program, a page at a time', async () => {
    const programKey = 'read-list';
    const referrerId = uniqueId('referrer');
    for (let i = 0; i < 3; i++) await grantRewards(db.sequelize, grantInput({ programKey, referrerId, referrerCap: 2 }));
    const pending = await listRewards(db.sequelize, { programKey, status: 'pending' });
    expect(pending).toHaveLength(5);
    expect(await listRewards(db.sequelize, { programKey, status: ['cap_limited'] })).toEqual([
      expect.objectContaining({ beneficiaryId: referrerId, role: 'referrer' }),
    ]);
    const page1 = await listRewards(db.sequelize, { programKey, limit: 4 });
    const page2 = await listRewards(db.sequelize, { programKey, limit: 4, afterId: page1.at(-1)?.id });
    expect([...page1, ...page2].map((r) => r.id)).toEqual((await listRewards(db.sequelize, { programKey })).map((r) => r.id));
    expect(page2).toHaveLength(2);
    expect(await listRewards(db.sequelize, { programKey, beneficiaryId: referrerId })).toHaveLength(3);
  });

  it('counts rewards per status, zero included', async () => {
    const programKey = 'read-count';
    await grantRewards(db.sequelize, grantInput({ programKey, referrerCap: 0 }));
    expect(await countRewardsByStatus(db.sequelize, { programKey })).toEqual({
      pending: 1,
      earned: 0,
      applied: 0,
      reversed: 0,
      expired: 0,
      canceled: 0,
      review_required: 0,
      cap_limited: 1,
      disqualified: 0,
    });
  });

  it('sums a beneficiary balance per program and unit', async () => {
    const user = uniqueId('user');
    await grantRewards(db.sequelize, grantInput({ refereeId: user, outcomes: [fixedOutcome('referee')] }));
    await grantRewards(db.sequelize, grantInput({ refereeId: user, outcomes: [fixedOutcome('referee', { amountMinor: 50 })] }));
    await grantRewards(
      db.sequelize,
      grantInput({ programKey: 'cbr-student', refereeId: user, outcomes: [fixedOutcome('referee', { unit: 'credit', amountMinor: 2 })] }),
    );
    expect(await getBeneficiaryBalances(db.sequelize, user)).toEqual([
      { programKey: 'cbr-student', unit: 'credit', balanceMinor: 2, openRewards: 1 },
      { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 2500, openRewards: 2 },
    ]);
  });

  it('explains what is pending and why, and what was not granted and why', async () => {
    const user = uniqueId('user');
    await grantRewards(db.sequelize, grantInput({ referrerId: user, referrerCap: 0 }));
    await grantRewards(db.sequelize, grantInput({ referrerId: user, referrerCap: null }));
    const { rewards } = await grantRewards(
      db.sequelize,
      grantInput({ referrerId: user, earnedAt: daysAfter(T0, 1), outcomes: [fixedOutcome('referrer', { initialStatus: 'earned' })] }),
    );
    const report = await explainPendingRewards(db.sequelize, { beneficiaryId: user });
    expect(report.waiting.map((w) => [w.reward.status, w.waitingFor])).toEqual([
      ['pending', 'next_issuance'],
      ['earned', 'release'],
    ]);
    expect(report.waiting[0]?.why).toMatch(/2450 USD from conversion .*waits for the next kilo_pass issuance.*expires/);
    expect(report.notGranted).toEqual([expect.objectContaining({ status: 'cap_limited', decisionReason: expect.stringMatching(/cap reached/) })]);
    await releaseReward(db.sequelize, { rewardId: defined(rewards[0]).id, actor: 'op', reason: 'hold over' });
    expect((await explainPendingRewards(db.sequelize, { beneficiaryId: user })).waiting.map((w) => w.waitingFor)).toEqual([
      'next_issuance',
      'next_issuance',
    ]);
  });

  it('shows a reward history: audit trail and bookings', async () => {
    const { rewards } = await grantRewards(db.sequelize, grantInput());
    const history = await getRewardHistory(db.sequelize, defined(rewards[0]).id);
    expect(history.reward).toEqual(rewards[0]);
    expect(history.events).toHaveLength(1);
    expect(history.transactions).toHaveLength(1);
    await expect(getRewardHistory(db.sequelize, '424242')).rejects.toMatchObject({ code: 'reward_not_found' });
  });
});
