import { type CatalogKind, createCatalogRegistry, type CatalogRegistry } from '@referrals/programs';

/**
 * The products this api serves, as configuration: the fact catalog their programs are written
 * against (the programs lib's registry) and what the
 * billing events do not carry but the rules need.
 */
export interface ProductConfig {
  /**
   * The product key (`kilo_pass`), one spelling everywhere: programs, attribution, the ledger,
   * the workflows and the Impact configuration (`IMPACT_KILO_PASS_*`). See `@referrals/config`.
   */
  product: string;
  catalog: CatalogKind;
  /**
   * Payments products: each tier's undiscounted monthly list price in minor units, snapshotted
   * into `subscription.monthly_price` at the payment (a payment may override it).
   */
  monthlyPrices?: Readonly<Record<string, { minor: number; currency: string }>>;
  /** Payments products report referral and affiliate SALEs to Impact Performance. */
  reportsSales: boolean;
  /** The largest money reward one role may get from one event (minor units); default 100000. */
  maxRewardMinor?: number;
}

/** Kilo Pass (payments catalog) and the Challenge tutoring marketplace (lessons catalog). */
export const defaultProducts: readonly ProductConfig[] = [
  {
    product: 'kilo_pass',
    catalog: 'payments',
    monthlyPrices: {
      tier_19: { minor: 1900, currency: 'USD' },
      tier_49: { minor: 4900, currency: 'USD' },
      tier_199: { minor: 19900, currency: 'USD' },
    },
    reportsSales: true,
  },
  { product: 'tutoring', catalog: 'lessons', reportsSales: false },
];

export interface ProductRegistry {
  readonly catalogs: CatalogRegistry;
  get(product: string): ProductConfig | undefined;
  list(): readonly ProductConfig[];
}

export function createProductRegistry(products: readonly ProductConfig[] = defaultProducts): ProductRegistry {
  const byKey = new Map(products.map((p) => [p.product, p]));
  const catalogs = createCatalogRegistry(Object.fromEntries(products.map((p) => [p.product, p.catalog])));
  return { catalogs, get: (product) => byKey.get(product), list: () => products };
}
