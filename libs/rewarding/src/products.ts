/**
 * What rewarding needs to know of a product: its price table (the source of truth for the price a
 * percent reward is computed from), its currency and whether its SALEs are reported to Impact.
 * Structural, so the products registry of the apps plugs in as it is.
 */
export interface RewardingProduct {
  readonly product: string;
  /** Each tier's undiscounted monthly list price in minor units (payments products). */
  readonly monthlyPrices?: Readonly<Record<string, { minor: number; currency: string }>>;
  /** The product's currency; by default the currency of its price table. */
  readonly currency?: string;
  /** Payments products report referral and affiliate SALEs to Impact Performance. */
  readonly reportsSales: boolean;
  /** The payment providers whose payments can reward; null or absent: any (rule: Kilo Pass rewards Stripe payments only). */
  readonly rewardedProviders?: readonly string[] | null;
  /** Payment method types whose instrument fingerprints are claimed (Kilo rules 176-184); absent or empty: none. */
  readonly reusablePaymentMethodTypes?: readonly string[];
  /** The largest money reward one role may get from one event, in minor units (default: the engine's). */
  readonly maxRewardMinor?: number;
  /**
   * ISO 8601: the welcome-promo launch cutoff (rule 132): first-time monthly subscribers who
   * started before it get the welcome promo in month 1, at or after it in month 2. Null or absent:
   * month 1 for everyone. Stamped on each issuance's facts (queueIssuanceCreated).
   */
  readonly welcomePromoLaunchCutoffAt?: string | null;
}

export interface RewardingProducts {
  get(product: string): RewardingProduct | undefined;
  list(): readonly { readonly product: string }[];
}

/** 1,000.00 in a two-digit currency: far above any referral reward, far below an overflow. */
export const DEFAULT_MAX_REWARD_MINOR = 100_000;

export function currencyOf(product: RewardingProduct): string | undefined {
  return product.currency ?? Object.values(product.monthlyPrices ?? {})[0]?.currency;
}
