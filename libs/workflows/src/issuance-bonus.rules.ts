import { type IssuanceFacts } from './contracts/issuance-bonus.contract';

/**
 * The rule part of the issuance-bonus decision, as pure functions of the issuance's facts (the
 * referral and usage parts need the ledger and a signal; the workflow runs them in this order:
 * welcome promo, referral bonus, usage bonus). Kilo Pass rules in brackets.
 *
 * - The welcome promo goes to a first-time monthly subscriber on ONE issuance, the welcome-month
 *   issuance: month 1 when the subscription started before the product's launch cutoff, month 2
 *   when it started at or after it [132]. Returning subscribers never get it (normal monthly ramp),
 *   nor a subscriber whose first settlement used a payment instrument another account claimed [178].
 * - A pending referral reward is never consumed by the welcome-month issuance: it stays pending
 *   for the next eligible one, for referees and referrers alike; it never replaces the promo
 *   [123, 115].
 * - Nor by an annual subscription's issuance [131], nor by a paused, canceling or canceled
 *   subscription's issuance [107]: the reward waits for an eligible monthly issuance or its expiry.
 */
export interface IssuancePlan {
  /** This is the subscriber's welcome-month issuance: it gets `promo_first_month_50pct`. */
  welcomePromo: boolean;
  /** The subscription's welcome month (1 or 2), or null when the subscriber gets no welcome promo at all. */
  welcomeMonth: 1 | 2 | null;
  /** Why the issuance gets the welcome promo, or why not (in words, for the recorded reason). */
  promoWhy: string;
  /** A pending referral reward may be consumed by this issuance. */
  referralRewardAllowed: boolean;
  /** Why no referral reward may be consumed; null when one may. */
  referralBlockedWhy: string | null;
  /**
   * False on a first-time subscriber's first issuance: the one their converting payment paid for.
   * A referee reward comes from that conversion and never applies to its base issuance [123]; the
   * subscriber's rewards as a referrer may.
   */
  refereeRewardsAllowed: boolean;
}

/**
 * The welcome month of a first-time monthly subscription [132]: 1 when it started before the
 * launch cutoff (or no cutoff is declared), 2 when it started at or after it.
 */
export function welcomeMonthOf(subscriberStartedAt: string, launchCutoffAt: string | null | undefined): 1 | 2 {
  if (launchCutoffAt === null || launchCutoffAt === undefined) return 1;
  return Date.parse(subscriberStartedAt) >= Date.parse(launchCutoffAt) ? 2 : 1;
}

function welcomeMonthWords(month: 1 | 2, launchCutoffAt: string | null | undefined): string {
  if (launchCutoffAt === null || launchCutoffAt === undefined) return 'month 1 (the product declares no launch cutoff)';
  return month === 1 ? `month 1 (started before the launch cutoff ${launchCutoffAt})` : `month 2 (started at or after the launch cutoff ${launchCutoffAt})`;
}

/** The welcome-promo part: is this the welcome-month issuance of an eligible first-time monthly subscriber? */
function planWelcomePromo(facts: IssuanceFacts): Pick<IssuancePlan, 'welcomePromo' | 'welcomeMonth' | 'promoWhy'> {
  if ((facts.interval ?? 'month') !== 'month') return { welcomePromo: false, welcomeMonth: null, promoWhy: 'annual subscriptions never get the welcome promo' };
  if (!facts.firstTimeSubscriber) {
    return { welcomePromo: false, welcomeMonth: null, promoWhy: 'a returning subscriber (an earlier subscription) never gets the welcome promo: normal monthly ramp' };
  }
  if (facts.paymentInstrumentAlreadyClaimed === true) {
    return { welcomePromo: false, welcomeMonth: null, promoWhy: 'the payment method already received the introductory bonus on another account [178]: normal monthly ramp' };
  }
  if (facts.welcomePromoEligible === false) {
    return { welcomePromo: false, welcomeMonth: null, promoWhy: 'the host marked the subscriber not eligible for the welcome promo' };
  }
  const cutoff = facts.welcomePromoLaunchCutoffAt;
  const month = welcomeMonthOf(facts.subscriberStartedAt, cutoff);
  return facts.issuanceNumber === month
    ? { welcomePromo: true, welcomeMonth: month, promoWhy: `welcome-month issuance of a first-time monthly subscriber: ${welcomeMonthWords(month, cutoff)}` }
    : { welcomePromo: false, welcomeMonth: month, promoWhy: `issuance ${facts.issuanceNumber} is not the welcome month, which is ${welcomeMonthWords(month, cutoff)}` };
}

/** Why the issuance may not consume a referral reward, or null when it may. */
function referralBlock(facts: IssuanceFacts, welcomePromo: boolean): string | null {
  if ((facts.interval ?? 'month') !== 'month') return 'an annual subscription\'s issuance never consumes a referral reward [131]';
  const status = facts.subscriptionStatus ?? 'active';
  if (status !== 'active') return `a ${status} subscription's issuance never consumes a referral reward [107]`;
  if (welcomePromo) return 'the welcome-month issuance never consumes a referral reward [123, 115]';
  return null;
}

export function planIssuance(facts: IssuanceFacts): IssuancePlan {
  const promo = planWelcomePromo(facts);
  const referralBlockedWhy = referralBlock(facts, promo.welcomePromo);
  const sourceConversionIssuance = facts.firstTimeSubscriber && facts.issuanceNumber === 1;
  return { ...promo, referralRewardAllowed: referralBlockedWhy === null, referralBlockedWhy, refereeRewardsAllowed: !sourceConversionIssuance };
}
