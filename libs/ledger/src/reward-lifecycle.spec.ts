import { useTestDatabase } from '@referrals/db/testing';
import { recordAdversePayment } from './adverse-payments';
import { applyRewardToIssuance } from './apply-reward';
import { expireRewards } from './expire-rewards';
import { grantRewards, type GrantRewardsInput } from './grant-rewards';
import { isLedgerError } from './ledger.errors';
import { ledgerMigrations } from './ledger.migrations';
import { getRewardHistory } from './read-models';
import { releaseReward, resolveReview } from './review-rewards';
import { rewardStatuses, rewardTransitions, type RewardOperation, type RewardStatus } from './reward-states';
import { daysAfter, defined, expectLedgerSound, fixedOutcome, grantInput, T0, uniqueId } from './testing/ledger-fixtures';

/**
 * Every (state, operation) pair, on the real database: the operation moves the reward exactly as
 * the transition table says, or refuses (single-reward operations: reward_transition_illegal),
 * or leaves it alone (batch operations select only the states they may move).
 */
describe('reward lifecycle', () => {
  const db = useTestDatabase([ledgerMigrations]);

  interface Subject {
    rewardId: string;
    input: GrantRewardsInput;
    beneficiaryId: string;
  }

  const expiresAt = daysAfter(T0, 365);

  async function apply(beneficiaryId: string) {
    return applyRewardToIssuance(db.sequelize, {
      issuanceId: uniqueId('iss'),
      beneficiaryId,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 30),
      asOf: daysAfter(T0, 30),
      actor: 'workflow:issuance-bonus',
    });
  }

  async function adverse(paymentId: string) {
    return recordAdversePayment(db.sequelize, { noticeId: uniqueId('notice'), paymentId, kind: 'refund', occurredAt: T0, actor: 'billing' });
  }

  /** A fresh reward brought to `status` by the operations themselves. */
  async function rewardIn(status: RewardStatus): Promise<Subject> {
    const refereeId = uniqueId('user');
    const initialStatus = status === 'earned' ? 'earned' : 'pending';
    const input =
      status === 'cap_limited'
        ? grantInput({ refereeId, referrerCap: 0, outcomes: [fixedOutcome('referrer')] })
        : status === 'disqualified'
          ? grantInput({ refereeId, outcomes: [{ role: 'referee', decision: 'disqualified', reason: 'not the first payment' }] })
          : grantInput({ refereeId, outcomes: [fixedOutcome('referee', { initialStatus, expiresAt })] });
    const { rewards } = await grantRewards(db.sequelize, input);
    const reward = defined(rewards[0]);
    const subject = { rewardId: reward.id, input, beneficiaryId: reward.beneficiaryId };
    if (['applied', 'review_required', 'reversed'].includes(status)) expect((await apply(refereeId)).outcome).toBe('applied');
    if (['review_required', 'reversed'].includes(status)) await adverse(input.conversionId);
    if (status === 'reversed') await resolveReview(db.sequelize, { rewardId: reward.id, decision: 'reverse', actor: 'op', reason: 'fraud' });
    if (status === 'canceled') await adverse(input.conversionId);
    if (status === 'expired') await expireRewards(db.sequelize, { now: expiresAt });
    expect(await statusOf(reward.id)).toBe(status);
    return subject;
  }

  async function statusOf(rewardId: string): Promise<RewardStatus> {
    return (await getRewardHistory(db.sequelize, rewardId)).reward.status;
  }

  const operations: Record<string, { operation: RewardOperation; single: boolean; run: (s: Subject) => Promise<unknown> }> = {
    release: {
      operation: 'release',
      single: true,
      run: (s) => releaseReward(db.sequelize, { rewardId: s.rewardId, actor: 'op', reason: 'refund window passed' }),
    },
    'resolve keep': {
      operation: 'resolve_review_keep',
      single: true,
      run: (s) => resolveReview(db.sequelize, { rewardId: s.rewardId, decision: 'keep', actor: 'op', reason: 'legit' }),
    },
    'resolve reverse': {
      operation: 'resolve_review_reverse',
      single: true,
      run: (s) => resolveReview(db.sequelize, { rewardId: s.rewardId, decision: 'reverse', actor: 'op', reason: 'fraud' }),
    },
    apply: { operation: 'apply_to_issuance', single: false, run: (s) => apply(s.beneficiaryId) },
    expire: { operation: 'expire', single: false, run: () => expireRewards(db.sequelize, { now: expiresAt }) },
    adverse: { operation: 'adverse_payment', single: false, run: (s) => adverse(s.input.conversionId) },
  };

  const cases = rewardStatuses.flatMap((from) =>
    Object.entries(operations).map(([name, op]) => {
      const legal = rewardTransitions.find((t) => t.from === from && t.operation === op.operation);
      // rewardIn('reversed') got there by 'resolve reverse': running it again is a replay, not an error.
      const replay = from === 'reversed' && name === 'resolve reverse';
      return [from, name, legal ? legal.to : op.single && !replay ? 'illegal' : from] as const;
    }),
  );

  it.each(cases)('%s + %s -> %s', async (from, name, expected) => {
    const subject = await rewardIn(from);
    const op = defined(operations[name]);
    if (expected === 'illegal') {
      const error = await op.run(subject).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLedgerError(error, 'reward_transition_illegal')).toBe(true);
      expect(await statusOf(subject.rewardId)).toBe(from);
    } else {
      await op.run(subject);
      const history = await getRewardHistory(db.sequelize, subject.rewardId);
      expect(history.reward.status).toBe(expected);
      if (expected !== from) {
        expect(history.events.at(-1)).toMatchObject({ fromStatus: from, toStatus: expected, operation: op.operation });
      }
    }
    await expectLedgerSound(db.sequelize);
  });

  it('covers every legal transition of the table', () => {
    for (const t of rewardTransitions) {
      expect(cases).toContainEqual([t.from, expect.any(String), t.to]);
    }
  });
});
