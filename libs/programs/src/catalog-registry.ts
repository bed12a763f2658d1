import { PRODUCT_KEY_PATTERN, PRODUCT_KEY_RULE } from '@referrals/config';
import { defineFactCatalog, type FactCatalog, lessonsFactCatalog, paymentsFactCatalog } from '@referrals/rule-dsl';
import { ProgramError } from './programs.errors';

/**
 * Which fact catalog validates the programs of which product. A catalog describes a *kind* of
 * business (payments for subscriptions, lessons for tutoring); a product is one business of that
 * kind. The mapping is data given at startup, so a second subscription product (KiloClaw next to
 * Kilo Pass) is a configuration line, not code.
 */
export const catalogKinds = Object.freeze({
  payments: paymentsFactCatalog,
  lessons: lessonsFactCatalog,
});

export type CatalogKind = keyof typeof catalogKinds;

/** The shipped products: Kilo Pass referrals (payments) and Challenge Based Rewards (lessons). */
export const defaultProductCatalogs: Readonly<Record<string, CatalogKind>> = Object.freeze({
  kilo_pass: 'payments',
  tutoring: 'lessons',
});

export interface CatalogRegistry {
  /** The catalog the programs of `product` are validated and compiled against, or undefined. */
  get(product: string): FactCatalog | undefined;
  has(product: string): boolean;
  /** The known products, sorted. */
  products(): readonly string[];
}

/**
 * Builds a registry from `product -> catalog kind` (or a catalog of the host's own). rule-dsl
 * refuses a program whose `product` differs from its catalog's, so each catalog is re-declared
 * under the product it serves; that happens once here, at startup.
 */
export function createCatalogRegistry(mapping: Readonly<Record<string, CatalogKind | FactCatalog>> = defaultProductCatalogs): CatalogRegistry {
  const catalogs = new Map<string, FactCatalog>();
  const mistakes: string[] = [];
  for (const [product, entry] of Object.entries(mapping)) {
    if (!PRODUCT_KEY_PATTERN.test(product)) {
      mistakes.push(`"${product}" ${PRODUCT_KEY_RULE}`);
      continue;
    }
    const base = typeof entry === 'string' ? (Object.hasOwn(catalogKinds, entry) ? catalogKinds[entry] : undefined) : entry;
    if (!base) {
      mistakes.push(`"${product}" maps to unknown catalog kind "${String(entry)}" (known: ${Object.keys(catalogKinds).join(', ')})`);
      continue;
    }
    catalogs.set(product, base.product === product ? base : rekey(base, product));
  }
  if (mistakes.length > 0) {
    throw new ProgramError('catalog_registry_invalid', `catalog registry is invalid: ${mistakes.join('; ')}`);
  }
  const products = Object.freeze([...catalogs.keys()].sort());
  return Object.freeze({
    get: (product: string) => catalogs.get(product),
    has: (product: string) => catalogs.has(product),
    products: () => products,
  });
}

function rekey(base: FactCatalog, product: string): FactCatalog {
  return defineFactCatalog({ product, description: base.description, events: base.events, facts: base.facts });
}
