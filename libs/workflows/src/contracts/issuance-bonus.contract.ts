import type { BonusLikeItemKind } from './domain-types';

/**
 * The billing facts of one issuance (a monthly base issuance of a subscription). They arrive in
 * the start input or with the `issuanceCreated` signal.
 */
export interface IssuanceFacts {
  /** ISO 8601: when the issuance was created. A referral reward earned later is never applied to it. */
  issuanceCreatedAt: string;
  /** ISO 8601: end of the issuance period; the usage bonus can be earned until then. */
  periodEndsAt: string;
  /** Billing interval of the subscription; promos are for monthly subscriptions only. Default `month`. */
  interval?: 'month' | 'year';
  /** 1 for the subscriber's first base issuance of this subscription, 2 for the second... */
  issuanceNumber: number;
  /** True when the subscriber never subscribed before (a first-time subscriber). */
  firstTimeSubscriber: boolean;
  /** ISO 8601: when the subscriber started; compared with the promo launch cutoff. */
  subscriberStartedAt: string;
  /** The host's own welcome-promo eligibility (coupons, region...); default true. */
  welcomePromoEligible?: boolean;
  /** Overrides the worker's PROMO_LAUNCH_CUTOFF_AT for this issuance (null: no legacy promo). */
  promoLaunchCutoffAt?: string | null;
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
  /** (1) first-time monthly subscriber's first issuance: `promo_first_month_50pct`. */
  | 'welcome_promo'
  /** (2) the oldest pending, unexpired referral reward earned before the issuance: `referral_bonus`. */
  | 'referral_bonus'
  /** (3) started before the launch cutoff, second issuance: the legacy month-2 promo. */
  | 'legacy_month2_promo'
  /** (4) usage threshold crossed before the period ended and the slot was free: `bonus`. */
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
