import { type RecordConversionResult } from '@referrals/attribution';
import { type ConditionTrace, type RewardEvaluation } from '@referrals/rule-dsl';
import { type DecisionCode } from './decision-codes';
import { type PaymentOrigin } from './qualifying-events';
import { type RewardRecord } from './records';

/**
 * Why a qualifying event rewarded nobody (or capped the referrer), as stable codes stored on the
 * conversion and the user's referral in the event's transaction (Kilo error handling 6, rule 172).
 * The Kilo rule each one enforces is in brackets. Codes a referral got at signup (`existing_account`,
 * `self_referral`, ...) are reused as they are for `referral_not_qualified`.
 */
export const eligibilityReasons = {
  annual_subscription: 'the subscription is billed yearly: annual prices already carry their discount [103]',
  not_monthly_subscription: 'the subscription is not billed monthly [97]',
  not_personal_subscription: 'a team or organization subscription, not a personal one [97]',
  not_first_payment: "not the referee's first paid payment: renewals never reward [101, 104]",
  tier_not_eligible: 'the tier is not one of the qualifying tiers [97]',
  unsupported_provider: "the payment was settled by a provider the product does not reward (its rewardedProviders; Kilo Pass at launch: Stripe only, App Store and Google Play out of scope) [97]",
  earlier_subscription: 'the referee had an earlier subscription of the product, current or canceled, monthly or annual [99, 100]',
  attribution_expired: 'the referral touch had expired (30 days) at the conversion [31]',
  affiliate_won: 'a valid affiliate touch won the conversion [39, 44]',
  no_valid_referral_touch: 'no valid referral touch for the conversion [43]',
  no_referral: 'a referral touch won, but the user has no referral (no signup recorded)',
  referrer_cap_reached: 'the referrer already holds the maximum number of rewards; the referee was still rewarded [111]',
  adverse_notice_before_grant: 'an adverse notice (refund, chargeback, fraud) for the payment came before the grant [160]',
  test_payment: 'the host marked the payment as a test [69, 173]',
  admin_created_payment: 'the host marked the payment as created by an admin [69, 173]',
  manual_adjustment: 'the host marked the payment as a manual adjustment [69, 173]',
  payment_instrument_already_claimed: 'the payment method already settled the first payment of another account: no welcome promo, not an eligible conversion [179, 181]',
  payment_instrument_unresolved: 'billing could not resolve the payment method: not an eligible conversion [180]',
  condition_not_met: "another condition of the program's reward rule did not hold (the decision's explanation says which)",
} as const;

export type EligibilityReason = keyof typeof eligibilityReasons;

/** The reason a failed comparison on a payment fact stands for; other facts fall back to `condition_not_met`. */
function reasonOfComparison(subject: string, actual: unknown): EligibilityReason {
  switch (subject) {
    case 'subscription.interval':
      return actual === 'yearly' ? 'annual_subscription' : 'not_monthly_subscription';
    case 'subscription.kind':
      return 'not_personal_subscription';
    case 'payment.sequence':
    case 'event.sequence':
      return 'not_first_payment';
    case 'subscription.tier':
      return 'tier_not_eligible';
    default:
      return 'condition_not_met';
  }
}

function failedConditions(conditions: readonly ConditionTrace[]): EligibilityReason[] {
  return conditions.flatMap((c): EligibilityReason[] => {
    if (c.outcome !== 'not_matched') return [];
    return c.kind === 'comparison' ? [reasonOfComparison(c.subject, c.actual)] : ['condition_not_met'];
  });
}

/** Why no reward rule matched: every failed condition of every rule tried, as reasons. */
export function reasonsOfEvaluation(evaluation: RewardEvaluation): string[] {
  const rules = evaluation.explanation?.rules ?? [];
  return unique(rules.flatMap((rule) => failedConditions(rule.conditions)));
}

/** Why attribution did not give the conversion to the referral. */
export function reasonsOfAttribution(recorded: RecordConversionResult): string[] {
  const { conversion } = recorded;
  if (conversion.winner === 'affiliate') return ['affiliate_won'];
  const expired = conversion.verdicts.some((v) => v.kind === 'referral' && v.verdict === 'expired');
  return [expired ? 'attribution_expired' : 'no_valid_referral_touch'];
}

/** What the grant itself records as not granted: a capped referrer, an adverse notice first. */
export function reasonsOfRewards(rewards: readonly RewardRecord[]): string[] {
  return unique(
    rewards.flatMap((r): EligibilityReason[] =>
      r.status === 'cap_limited' ? ['referrer_cap_reached'] : r.status === 'disqualified' ? ['adverse_notice_before_grant'] : [],
    ),
  );
}

/** The reason of a payment the host marked as not made by a customer. */
export function reasonOfOrigin(origin: Exclude<PaymentOrigin, 'customer'>): EligibilityReason {
  return origin === 'test' ? 'test_payment' : origin === 'admin_created' ? 'admin_created_payment' : 'manual_adjustment';
}

/** Decision codes whose reason is the code itself (no finer reason exists). */
export function fallbackReasons(code: DecisionCode): string[] {
  return code === 'not_first_qualifying_event' ? ['not_first_payment'] : [code];
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
