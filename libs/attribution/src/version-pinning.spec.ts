import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { type RewardRule } from '@referrals/rule-dsl';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, defined, failure, type Harness, kiloPass, uid } from './testing/attribution-fixtures';

const T0 = '2026-01-05T10:00:00.000Z';
const KILO = 'kilo-pass-referrals';

/** The reward facts of a referee's first paid tier_49 monthly payment. */
function firstTier49Payment(referral: { refereeUserId: string; referrerUserId: string | null; createdAt: Date }) {
  return {
    referral: { created_at: referral.createdAt },
    referrer: { user_id: referral.referrerUserId, rewards_earned: 0 },
    referee: { user_id: referral.refereeUserId, is_new_account: true },
    subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', monthly_price: { amountMinor: 4900, currency: 'USD' }, started_at: '2026-01-06T00:00:00Z' },
    payment: { amount: { amountMinor: 4900, currency: 'USD' }, sequence: 1, paid_at: '2026-01-06T00:00:00Z' },
    event: { sequence: 1 },
  };
}

describe('version pinning', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;

  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch', expectedVersion: 0 });
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'JANE10', userId: 'jane' });
  });

  async function referredSignup() {
    const anonymousId = uid('anon');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
    h.clock.advance(60_000);
    const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: `${anonymousId}@example.com` });
    return defined(referral, 'referral');
  }

  it('editing a program after a referral was created changes neither its pinned version nor how its rewards are decided', async () => {
    const before = await referredSignup();
    expect(before).toMatchObject({ status: 'qualified', programKey: KILO, programVersion: 1 });

    // The admin halves the reward: 50% of the tier price becomes 25%.
    const current = await h.programs.get(KILO);
    const rule = defined(current.document.rewardRules[0]);
    const cheaper: RewardRule = { ...rule, reward: { type: 'percent', percent: '25', of: 'subscription.monthly_price' } };
    h.clock.advance(60_000);
    await h.programs.save({ document: { ...current.document, rewardRules: [cheaper] }, author: AUTHOR, changeNote: 'Halve the reward', expectedVersion: 1 });

    const reread = await h.attribution.getReferral(before.id);
    expect(reread.programVersion).toBe(1);
    const pinned = await h.attribution.evaluateReferralReward({ referralId: before.id, trigger: 'payment.succeeded', facts: firstTier49Payment(reread), at: '2026-01-06T00:00:00Z' });
    expect(pinned).toMatchObject({ evaluated: true, programKey: KILO, programVersion: 1, evaluation: { code: 'rewarded' } });
    const grants = pinned.evaluated ? pinned.evaluation.grants : [];
    expect(grants.map((g) => [g.beneficiary, g.reward])).toEqual([
      ['referrer', { type: 'money', amount: { amountMinor: 2450, currency: 'USD' } }],
      ['referee', { type: 'money', amount: { amountMinor: 2450, currency: 'USD' } }],
    ]);

    // A referral created after the edit pins the new version and gets the new reward.
    const after = await referredSignup();
    expect(after.programVersion).toBe(2);
    const evaluated = await h.attribution.evaluateReferralReward({ referralId: after.id, trigger: 'payment.succeeded', facts: firstTier49Payment(after), at: '2026-01-06T00:00:00Z' });
    expect(evaluated.evaluated && evaluated.evaluation.grants[0]?.reward).toEqual({ type: 'money', amount: { amountMinor: 1225, currency: 'USD' } });
  });

  it('the database refuses to repin (or otherwise change) a decided referral', async () => {
    const referral = await referredSignup();
    await expect(db.sequelize.query(`UPDATE attribution_referrals SET program_version = 2 WHERE id = ${referral.id}`)).rejects.toThrow(/immutable/);
  });

  it('a referral that is not qualified has no program: nothing is evaluated, as data', async () => {
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'SELF', userId: 'selfie' });
    const anonymousId = uid('anon');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'SELF' });
    const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: 'selfie', anonymousId, email: 'selfie@example.com' });
    const result = await h.attribution.evaluateReferralReward({ referralId: defined(referral).id, trigger: 'payment.succeeded', facts: {}, at: T0 });
    expect(result).toEqual({ evaluated: false, referral, reason: 'referral_not_qualified' });
  });

  it('an unknown referral or a malformed time is a typed error', async () => {
    expect((await failure(h.attribution.evaluateReferralReward({ referralId: '999999', trigger: 'payment.succeeded', facts: {}, at: T0 }))).code).toBe('referral_not_found');
    const error = await failure(h.attribution.evaluateReferralReward({ referralId: '1', trigger: 'payment.succeeded', facts: {}, at: 'yesterday' }));
    expect(error.issues).toEqual([expect.objectContaining({ code: 'time_invalid', path: 'at' })]);
    expect((await failure(h.attribution.getReferral('abc'))).code).toBe('input_invalid');
  });
});
