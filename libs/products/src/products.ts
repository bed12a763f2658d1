import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@referrals/config';
import { type CatalogKind, catalogForProduct, catalogKinds, type FactCatalog, type FactDeclarations, RuleDslError } from '@referrals/rule-dsl';
import { type ProductDeclaration, productsFileSchema } from './products.schema';

/** The products file committed in the repository: `config/products.json` at the workspace root. */
export const DEFAULT_PRODUCTS_FILE = path.resolve(__dirname, '../../../config/products.json');

/** A tier's monthly list price: integer minor units of the product's currency. */
export interface MonthlyPrice {
  readonly minor: number;
  readonly currency: string;
}

/** One product, as the products file declares it (validated), plus what is derived from it. */
export interface ProductConfig {
  /** The product key (`kilo_pass`): the one spelling programs, attribution, the ledger, the workflows and Impact use. */
  readonly key: string;
  /** The same key, under the name the billing endpoints read (`product.product`). */
  readonly product: string;
  /** The generic rule-dsl catalog kind its programs are written against, plus the host's own facts. */
  readonly catalog: { readonly kind: CatalogKind; readonly facts: FactDeclarations };
  /** ISO 4217 currency of the tiers' prices. */
  readonly currency: string;
  /** Tier key -> monthly list price in minor units of `currency` (may be empty: lessons products). */
  readonly tiers: Readonly<Record<string, number>>;
  /**
   * Payments products: each tier's undiscounted monthly list price, snapshotted into
   * `subscription.monthly_price` at a payment (a payment may override it). Derived from `tiers`.
   */
  readonly monthlyPrices: Readonly<Record<string, MonthlyPrice>>;
  /** SALEs of this product are reported to Impact Performance. */
  readonly reportsSales: boolean;
  /** The payment providers whose payments can reward, or null: any (a payment from another one rewards nobody: `unsupported_provider`). */
  readonly rewardedProviders: readonly string[] | null;
  /** Payment method types whose instrument fingerprints are claimed (Kilo rules 176-184); empty: none. */
  readonly reusablePaymentMethodTypes: readonly string[];
  /** The largest money reward one role may get from one event (minor units); 100000 unless the file says otherwise. */
  readonly maxRewardMinor: number;
  /** The Impact configuration that applies (`IMPACT_<KEY>_*`), or null: no Impact for this product. */
  readonly impact: string | null;
  /**
   * ISO 8601 (UTC): the welcome-promo launch cutoff. A first-time monthly subscriber who started
   * before it gets the welcome promo in month 1, at or after it in month 2 (Kilo Pass rule 132).
   * Null: no cutoff, month 1 for everyone.
   */
  readonly welcomePromoLaunchCutoffAt: string | null;
}

/** The fact catalog of each product, as the programs lib needs it (its `CatalogRegistry`). */
export interface ProductCatalogs {
  /** The catalog the programs of `product` are validated and compiled against, or undefined. */
  get(product: string): FactCatalog | undefined;
  has(product: string): boolean;
  /** The known products, sorted. */
  products(): readonly string[];
}

export interface ProductRegistry {
  readonly catalogs: ProductCatalogs;
  get(key: string): ProductConfig | undefined;
  /** Every product, in the order of the products file. */
  list(): readonly ProductConfig[];
  /** The monthly list price of a product's tier, or undefined for an unknown product or tier. */
  monthlyPriceOf(product: string | ProductConfig, tier: string): MonthlyPrice | undefined;
  /** The products whose Impact configuration (`IMPACT_<KEY>_*`) is read. */
  impactProducts(): readonly string[];
}

/**
 * Reads and validates a products file: `file`, else the `PRODUCTS_FILE` variable, else the
 * committed `config/products.json`. Any mistake throws one `ConfigError` whose message is one line
 * naming the file and the bad field (`config/products.json: products[1].currency must be an ISO
 * 4217 currency code like USD`), so a wrong file fails the process at boot.
 */
export function loadProducts(file?: string, env: NodeJS.ProcessEnv = process.env): readonly ProductConfig[] {
  const fromEnv = env['PRODUCTS_FILE']?.trim();
  const chosen = file ?? (fromEnv ? fromEnv : DEFAULT_PRODUCTS_FILE);
  const relative = path.relative(process.cwd(), chosen);
  const where = `PRODUCTS_FILE ${relative && !relative.startsWith('..') ? relative : chosen}:`;
  let text: string;
  try {
    text = readFileSync(chosen, 'utf8');
  } catch (error) {
    throw new ConfigError(where, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(where, `is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseProducts(json, where);
}

/** Validates a products file's content (already parsed JSON); see {@link loadProducts}. */
export function parseProducts(json: unknown, where = 'products file:'): readonly ProductConfig[] {
  const result = productsFileSchema.safeParse(json);
  if (!result.success) {
    const [issue] = result.error.issues;
    const field = issue?.path.length ? formatPath(issue.path) : 'products file';
    const problem =
      issue?.code === 'unrecognized_keys' ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : (issue?.message ?? 'is invalid');
    throw new ConfigError(`${where} ${field}`, problem);
  }
  const products = result.data.products.map(toConfig);
  // Host facts are checked by rule-dsl (paths, clashes with the kind's facts): fail here, at load.
  products.forEach((product, index) => catalogOf(product, `${where} products[${index}].catalog.facts`));
  return Object.freeze(products);
}

/** The products registry every app, the seed and the benches build at boot. */
export function createProductRegistry(products: readonly ProductConfig[]): ProductRegistry {
  const byKey = new Map<string, ProductConfig>();
  const catalogs = new Map<string, FactCatalog>();
  for (const product of products) {
    if (byKey.has(product.key)) throw new ConfigError(`products.${product.key}`, 'is declared twice');
    byKey.set(product.key, product);
    catalogs.set(product.key, catalogOf(product, `products.${product.key}.catalog.facts`));
  }
  const keys = Object.freeze([...byKey.keys()].sort());
  const list = Object.freeze([...products]);
  const impactProducts = Object.freeze(products.filter((p) => p.impact !== null).map((p) => p.impact as string));
  return Object.freeze({
    catalogs: Object.freeze({
      get: (product: string) => catalogs.get(product),
      has: (product: string) => catalogs.has(product),
      products: () => keys,
    }),
    get: (key: string) => byKey.get(key),
    list: () => list,
    monthlyPriceOf: (product: string | ProductConfig, tier: string) => {
      const config = typeof product === 'string' ? byKey.get(product) : product;
      return config ? monthlyPriceOf(config, tier) : undefined;
    },
    impactProducts: () => impactProducts,
  });
}

/** `loadProducts` then `createProductRegistry`: what a process does once at boot. */
export function loadProductRegistry(file?: string, env: NodeJS.ProcessEnv = process.env): ProductRegistry {
  return createProductRegistry(loadProducts(file, env));
}

/** The monthly list price of `tier`, or undefined when the product has no such tier. */
export function monthlyPriceOf(product: ProductConfig, tier: string): MonthlyPrice | undefined {
  return Object.hasOwn(product.monthlyPrices, tier) ? product.monthlyPrices[tier] : undefined;
}

function toConfig(declaration: ProductDeclaration): ProductConfig {
  const monthlyPrices = Object.freeze(
    Object.fromEntries(Object.entries(declaration.tiers).map(([tier, minor]) => [tier, Object.freeze({ minor, currency: declaration.currency })])),
  );
  return Object.freeze({
    key: declaration.key,
    product: declaration.key,
    catalog: Object.freeze({ kind: declaration.catalog.kind as CatalogKind, facts: Object.freeze(declaration.catalog.facts) }),
    currency: declaration.currency,
    tiers: Object.freeze({ ...declaration.tiers }),
    monthlyPrices,
    reportsSales: declaration.reportsSales,
    rewardedProviders: declaration.rewardedProviders ? Object.freeze([...declaration.rewardedProviders]) : null,
    reusablePaymentMethodTypes: Object.freeze([...declaration.reusablePaymentMethodTypes]),
    maxRewardMinor: declaration.maxRewardMinor,
    impact: declaration.impact,
    welcomePromoLaunchCutoffAt: declaration.welcomePromoLaunchCutoffAt,
  });
}

function catalogOf(product: ProductConfig, where: string): FactCatalog {
  try {
    const kind: FactCatalog = catalogKinds[product.catalog.kind];
    return catalogForProduct(kind, product.key, product.catalog.facts);
  } catch (error) {
    if (error instanceof RuleDslError) throw new ConfigError(where, error.message.replace(/^fact catalog for "[^"]*" is invalid: /, ''));
    throw error;
  }
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    const name = String(segment);
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? (out ? `${out}.${name}` : name) : `${out}["${name}"]`;
  }, '');
}
