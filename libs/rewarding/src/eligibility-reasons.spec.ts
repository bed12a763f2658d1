import { type RecordConversionResult } from '@referrals/attribution';
import { compileProgramOrThrow, exampleCatalogs, examplePrograms } from '@referrals/rule-dsl';
import { decisionCodes } from './decision-codes';
import { eligibilityReasons, fallbackReasons, reasonsOfAttribution, reasonsOfEvaluation, reasonsOfRewards } from './eligibility-reasons';
import { type RewardRecord } from './records';

const kiloPass = compileProgramOrThrow(examplePrograms.kiloPass, exampleCatalogs.kiloPass);

/** Reward facts of a first personal monthly tier_49 payment, with the given subscription and payment changes. */
function facts(subscription: Record<string, unknown> = {}, payment: Record<string, unknown> = {}) {
  return {
    referral: { created_at: '2025-06-01T00:00:00Z' },
    referrer: { user_id: 'u_1', rewards_earned: 0 },
    referee: { user_id: 'u_2', is_new_account: true },
    subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', monthly_price: { amountMinor: 4900, currency: 'USD' }, started_at: '2025-06-01T00:00:00Z', ...subscription },
    payment: { amount: { amountMinor: 4900, currency: 'USD' }, sequence: 1, paid_at: '2025-06-01T00:00:00Z', ...payment },
    event: { sequence: 1 },
  };
}
const reasonsFor = (f: ReturnType<typeof facts>) => reasonsOfEvaluation(kiloPass.evaluateReward('payment.succeeded', f, { at: '2025-06-01T00:00:00Z' }));

describe('eligibility reasons (Kilo error handling 6)', () => {
  it('name each failed condition of the Kilo Pass rule: annual, team, not the first payment, tier', () => {
    expect(reasonsFor(facts())).toEqual([]);
    expect(reasonsFor(facts({ interval: 'yearly' }))).toEqual(['annual_subscription']);
    expect(reasonsFor(facts({ kind: 'team' }))).toEqual(['not_personal_subscription']);
    expect(reasonsFor(facts({}, { sequence: 2 }))).toEqual(['not_first_payment']);
    expect(reasonsFor(facts({ tier: 'tier_free', interval: 'yearly', kind: 'team' }))).toEqual(['tier_not_eligible', 'annual_subscription', 'not_personal_subscription']);
  });

  it('say why attribution did not give the conversion to the referral: expired, affiliate, nothing valid', () => {
    const recorded = (winner: 'affiliate' | 'none', verdict: 'expired' | 'not_accepted') =>
      ({ conversion: { winner, verdicts: [{ touchId: '1', kind: 'referral', verdict }] } }) as unknown as RecordConversionResult;
    expect(reasonsOfAttribution(recorded('none', 'expired'))).toEqual(['attribution_expired']);
    expect(reasonsOfAttribution(recorded('none', 'not_accepted'))).toEqual(['no_valid_referral_touch']);
    expect(reasonsOfAttribution(recorded('affiliate', 'expired'))).toEqual(['affiliate_won']);
  });

  it('record a capped referrer and an adverse notice that came first', () => {
    const reward = (status: string) => ({ status }) as RewardRecord;
    expect(reasonsOfRewards([reward('cap_limited'), reward('pending')])).toEqual(['referrer_cap_reached']);
    expect(reasonsOfRewards([reward('disqualified'), reward('disqualified')])).toEqual(['adverse_notice_before_grant']);
    expect(reasonsOfRewards([reward('pending'), reward('pending')])).toEqual([]);
  });

  it('fall back to the decision code itself, and every reason is documented', () => {
    expect(fallbackReasons('outside_reward_window')).toEqual(['outside_reward_window']);
    expect(fallbackReasons('not_first_qualifying_event')).toEqual(['not_first_payment']);
    expect(decisionCodes.earlier_subscription.laterEventMayReward).toBe(false);
    for (const text of Object.values(eligibilityReasons)) expect(text.length).toBeGreaterThan(10);
  });
});
