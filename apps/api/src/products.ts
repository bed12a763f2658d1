import { type CatalogKind, createCatalogRegistry, type CatalogRegistry } from '@referrals/programs';

/**
 * The products this api serves, as configuration: the fact catalog their programs are written
 * against (the programs lib's registry), the key Impact configuration uses for them, and what the
 * billing events do not carry but the rules need.
 */
export interface ProductConfig {
  /** The engine's product key (programs, attribution, ledger): `kilo-pass`. */
  product: string;
  catalog: CatalogKind;
  /**
   * The product key of the Impact configuration (`IMPACT_KILO_PASS_*`, lower_snake_case):
   * `kilo_pass`. Exact, never borrowed from another product.
   *
   * It is also the product under which the LEDGER books rewards and the WORKFLOWS work: the
   * worker resolves Impact configuration from a reward's (or a workflow input's) product as is,
   * so the engine's `kilo-pass` (programs, attribution) is translated once, here, where the api
   * hands work over to the ledger and the worker.
   */
  impactProduct: string;
  /**
   * Payments products: each tier's undiscounted monthly list price in minor units, snapshotted
   * into `subscription.monthly_price` at the payment (a payment may override it).
   */
  monthlyPrices?: Readonly<Record<string, { minor: number; currency: string }>>;
  /** Payments products report referral and affiliate SALEs to Impact Performance. */
  reportsSales: boolean;
}

/** `kilo-pass` -> `kilo_pass`: Impact's environment variables cannot hold dashes. */
export const impactProductOf = (product: string): string => product.replace(/-/g, '_');

/** Kilo Pass (payments catalog) and the Challenge tutoring marketplace (lessons catalog). */
export const defaultProducts: readonly ProductConfig[] = [
  {
    product: 'kilo-pass',
    catalog: 'payments',
    impactProduct: 'kilo_pass',
    monthlyPrices: {
      tier_19: { minor: 1900, currency: 'USD' },
      tier_49: { minor: 4900, currency: 'USD' },
      tier_199: { minor: 19900, currency: 'USD' },
    },
    reportsSales: true,
  },
  { product: 'tutoring', catalog: 'lessons', impactProduct: 'tutoring', reportsSales: false },
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
