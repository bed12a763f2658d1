import type { BonusLikeItemKind } from './domain-types';

/** The subscription's state when the issuance was created; only `active` may consume a referral reward [107]. */
export const subscriptionStatuses = ['active', 'paused', 'canceling', 'canceled'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/**
 * The billing facts of one issuance (a monthly base issuance of a subscription). They arrive in
 * the start input or with the `issuanceCreated` signal.
 */
export interface IssuanceFacts {
  /** ISO 8601: when the issuance was created. A referral reward earned later is never applied to it. */
  issuanceCreatedAt: string;
  /** ISO 8601: end of the issuance period; the usage bonus can be earned until then. */
  periodEndsAt: string;
  /** Billing interval of the subscription; the promo and referral rewards are for monthly subscriptions only. Default `month`. */
  interval?: 'month' | 'year';
  /**
   * The subscription's state at the issuance: a paused, canceling or canceled subscription's
   * issuance never consumes a referral reward [107]. The api requires it; histories recorded
   * before it existed read `active`.
   */
  subscriptionStatus?: SubscriptionStatus;
  /** 1 for the subscriber's first base issuance of this subscription, 2 for the second... */
  issuanceNumber: number;
  /** True when the subscriber never subscribed before (a first-time subscriber); false: returning, no welcome promo. */
  firstTimeSubscriber: boolean;
  /** ISO 8601: when the subscription started; compared with the welcome-promo launch cutoff. */
  subscriberStartedAt: string;
  /** The host's own welcome-promo eligibility (coupons, region...); default true. */
  welcomePromoEligible?: boolean;
  /**
   * The product's welcome-promo launch cutoff (products file `welcomePromoLaunchCutoffAt`), stamped
   * by the api when it queues the facts, so the history records the cutoff the decision used:
   * started before it, the welcome month is month 1; at or after it, month 2 [132]. Null or
   * absent: month 1.
   */
  welcomePromoLaunchCutoffAt?: string | null;
  /**
   * Stamped by the api (never sent by billing): the subscriber's first positive monthly settlement
   * used a payment instrument another account had claimed, so no welcome promo; the normal monthly
   * ramp, like a returning subscriber (Kilo rule 179). Absent (histories before the guard): false.
   */
  paymentInstrumentAlreadyClaimed?: boolean;
}

/**
 * Input of `decideIssuanceBonus`: one workflow per issuance, workflow id
 * `workflowIds.issuanceBonus(issuanceId)`. The api starts it with signalWithStart from both events
 * (`issuanceCreated` with the facts, `usageThresholdCrossed`), whichever comes first; `facts` may
 * also be given here directly.
 */
export interface IssuanceBonusInput {
  issuanceId: string;
  /** The subscriber (the beneficiary of any referral reward applied to the issuance). */
  subscriberId: string;
  /** The product whose pending referral rewards the issuance may consume (`kilo_pass`). */
  product: string;
  /** Search attribute and memo only. */
  programKey?: string | null;
  facts?: IssuanceFacts;
}

/** Payload of the `usageThresholdCrossed` signal. */
export interface UsageThresholdCrossed {
  /** ISO 8601; a crossing after the period's end earns nothing. */
  crossedAt: string;
}

export type IssuanceBonusDecision =
  /** (1) a first-time monthly subscriber's welcome-month issuance (month 1 or 2, by the launch cutoff): `promo_first_month_50pct`. */
  | 'welcome_promo'
  /** (2) the oldest pending, unexpired referral reward earned before an eligible issuance: `referral_bonus`. */
  | 'referral_bonus'
  /** (3) usage threshold crossed before the period ended and the slot was free: `bonus`. */
  | 'usage_bonus'
  /** Nothing: the period ended without usage, or the issuance facts never arrived. */
  | 'none';

export interface IssuanceBonusItemView {
  itemKind: BonusLikeItemKind;
  /** The consumed reward of a `referral_bonus`. */
  rewardId: string | null;
}

export interface IssuanceBonusResult {
  issuanceId: string;
  decision: IssuanceBonusDecision;
  /** The item holding the issuance's bonus slot (ours, or one found there); null when none. */
  item: IssuanceBonusItemView | null;
  reason: string;
  /** Set when a referral reward was applied: the redemption workflow started for it. */
  redemptionWorkflowId: string | null;
  usageThresholdCrossedAt: string | null;
}

/** What the `issuanceBonusState` query answers. */
export interface IssuanceBonusState {
  phase: 'waiting_for_facts' | 'deciding' | 'waiting_for_usage' | 'decided';
  facts: IssuanceFacts | null;
  usageThresholdCrossedAt: string | null;
  result: IssuanceBonusResult | null;
}

export type DecideIssuanceBonusWorkflow = (input: IssuanceBonusInput) => Promise<IssuanceBonusResult>;
