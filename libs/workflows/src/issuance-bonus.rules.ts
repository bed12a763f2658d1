import { type IssuanceFacts } from './contracts/issuance-bonus.contract';

/**
 * The promo part of the issuance-bonus decision, as a pure function of the issuance's facts (the
 * referral and usage parts need the ledger and a signal; the workflow runs them in this order:
 * welcome promo, referral bonus, legacy month-2 promo, usage bonus).
 */
export interface PromoPlan {
  /** (1) first-time monthly subscriber, first issuance, eligible: `promo_first_month_50pct`. */
  welcomePromo: boolean;
  /** (3) the same subscriber's second issuance, started before the launch cutoff: the legacy month-2 promo. */
  legacyMonth2Promo: boolean;
  /** Why (for the decision's reason). */
  why: string;
}

export function planPromos(facts: IssuanceFacts, launchCutoffAt: string | null): PromoPlan {
  const monthly = (facts.interval ?? 'month') === 'month';
  const eligible = monthly && facts.firstTimeSubscriber && facts.welcomePromoEligible !== false;
  if (!eligible) {
    const why = !monthly
      ? 'promos are for monthly subscriptions only'
      : !facts.firstTimeSubscriber
        ? 'not a first-time subscriber'
        : 'the host marked the subscriber not eligible for the welcome promo';
    return { welcomePromo: false, legacyMonth2Promo: false, why };
  }
  if (facts.issuanceNumber === 1) {
    return { welcomePromo: true, legacyMonth2Promo: false, why: "first-time monthly subscriber's first issuance" };
  }
  if (facts.issuanceNumber !== 2) return { welcomePromo: false, legacyMonth2Promo: false, why: `issuance ${facts.issuanceNumber} has no promo` };
  if (launchCutoffAt === null) return { welcomePromo: false, legacyMonth2Promo: false, why: 'no launch cutoff is configured: first-month promo only' };
  const startedBefore = Date.parse(facts.subscriberStartedAt) < Date.parse(launchCutoffAt);
  return startedBefore
    ? { welcomePromo: false, legacyMonth2Promo: true, why: `second issuance of a subscriber who started before the launch cutoff ${launchCutoffAt}` }
    : { welcomePromo: false, legacyMonth2Promo: false, why: `subscriber started at or after the launch cutoff ${launchCutoffAt}: first-month promo only` };
}
