import { RuleDslError } from '../errors';
import { defineFactCatalog, type FactCatalog, type FactDeclarations } from '../fact-catalog';
import { lessonsFactCatalog } from './lessons.catalog';
import { paymentsFactCatalog } from './payments.catalog';

/**
 * The generic catalogs, by kind. A kind describes a *type* of business (payments for
 * subscriptions, lessons for a tutoring marketplace); which products exist, and which kind each
 * uses, is the host's configuration (the products file), never this library's.
 */
export const catalogKinds = Object.freeze({
  payments: paymentsFactCatalog,
  lessons: lessonsFactCatalog,
});

export type CatalogKind = keyof typeof catalogKinds;

export const CATALOG_KINDS = Object.freeze(Object.keys(catalogKinds) as CatalogKind[]);

export const isCatalogKind = (value: unknown): value is CatalogKind => typeof value === 'string' && Object.hasOwn(catalogKinds, value);

/**
 * A generic catalog re-declared for one product: a program's `product` must equal its catalog's,
 * so each product gets its own copy (same events and facts), plus the facts the host declares for
 * that product only (`hostFacts`, e.g. `account.plan`). A host fact may not redefine a fact of the
 * generic catalog; any mistake throws `RuleDslError('catalog_invalid')`.
 */
export function catalogForProduct<const F extends FactDeclarations>(base: FactCatalog<F>, product: string, hostFacts?: FactDeclarations): FactCatalog<F> {
  const extra = hostFacts ?? {};
  const clashes = Object.keys(extra).filter((path) => Object.hasOwn(base.facts, path));
  if (clashes.length > 0) {
    throw new RuleDslError(
      'catalog_invalid',
      `fact catalog for "${product}" is invalid: ${clashes.map((p) => `"${p}" is already a fact of the ${base.product} catalog`).join('; ')}`,
    );
  }
  if (base.product === product && Object.keys(extra).length === 0) return base;
  return defineFactCatalog({ product, description: base.description, events: base.events, facts: { ...base.facts, ...extra } as F });
}
