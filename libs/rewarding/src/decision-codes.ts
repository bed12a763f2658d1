/**
 * What a qualifying event decided, as a stable code. `retryCanChange`: whether sending the same
 * event again can give another answer (it cannot: a replay answers the recorded decision; the
 * column says whether a NEW event of the same referral may still be rewarded).
 */
export const decisionCodes = {
  rewarded: { meaning: 'a reward rule matched and the rewards were booked (granted, or recorded cap_limited)', laterEventMayReward: false },
  no_rule_matched: { meaning: 'the pinned program has no reward rule whose conditions hold for these facts', laterEventMayReward: true },
  facts_invalid: { meaning: 'a fact the rules need is missing or of the wrong type', laterEventMayReward: true },
  outside_reward_window: { meaning: "the event happened outside the program's reward window", laterEventMayReward: true },
  trigger_mismatch: { meaning: "the program's rules are not triggered by this event type", laterEventMayReward: true },
  reward_amount_zero: { meaning: 'the matched rule computes nothing to give', laterEventMayReward: true },
  evaluation_time_invalid: { meaning: 'the event time cannot be evaluated', laterEventMayReward: true },
  not_attributed_to_referral: { meaning: 'attribution gave the conversion to an affiliate or to nobody', laterEventMayReward: true },
  no_referral: { meaning: 'a referral touch won, but the user has no referral for the product (no signup recorded)', laterEventMayReward: true },
  referral_not_qualified: { meaning: 'the referral was disqualified at signup (its reasons say why)', laterEventMayReward: false },
  program_retired: { meaning: "the referral's program is retired: it rewards nothing new and its touches no longer win attribution", laterEventMayReward: false },
  not_first_qualifying_event: { meaning: 'first-qualifying-event-only program: another event of this referral was rewarded', laterEventMayReward: false },
  not_customer_payment: {
    meaning: 'a test, admin-created or manually adjusted payment that no operator marked eligible: nobody is rewarded and no SALE is reported (Kilo rules 69, 173)',
    laterEventMayReward: true,
  },
  unsupported_provider: {
    meaning: "the payment was settled by a provider the product does not reward (its rewardedProviders; Kilo Pass at launch: Stripe only, App Store and Google Play out of scope)",
    laterEventMayReward: true,
  },
  earlier_subscription: {
    meaning: 'the referee had another subscription of the product before this one (recorded by the engine, or stated by the host): not an eligible referee (Kilo rules 99, 100)',
    laterEventMayReward: false,
  },
  payment_instrument_already_claimed: {
    meaning: 'the payment method already settled the first payment of another account (one welcome promo and one referral conversion per reusable instrument): not an eligible conversion (Kilo rules 179, 181)',
    laterEventMayReward: false,
  },
  payment_instrument_unresolved: {
    meaning: 'billing could not resolve the payment method (type unknown): not an eligible conversion (Kilo rule 180)',
    laterEventMayReward: true,
  },
} as const;

export type DecisionCode = keyof typeof decisionCodes;
export const DECISION_CODES = Object.keys(decisionCodes) as [DecisionCode, ...DecisionCode[]];
