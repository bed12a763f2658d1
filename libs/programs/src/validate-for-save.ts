import { type ProgramDocument, validateProgram } from '@referrals/rule-dsl';
import { type CatalogRegistry } from './catalog-registry';
import { ProgramError, type ProgramIssue } from './programs.errors';

export type SaveCheck =
  | { readonly ok: true; readonly program: ProgramDocument }
  | { readonly ok: false; readonly code: 'product_unknown' | 'program_invalid'; readonly problems: readonly ProgramIssue[] };

/**
 * What a save would say about a document, without storing anything (the admin "check" button).
 * The product picks the catalog, so an unknown product is reported alone: nothing else can be
 * checked without a catalog. Otherwise every rule-dsl problem is returned at once, with paths
 * relative to the document (`rewardRules[0].conditions[1].operator`).
 */
export function checkProgram(catalogs: CatalogRegistry, document: unknown): SaveCheck {
  const product = isRecord(document) ? document['product'] : undefined;
  const catalog = typeof product === 'string' ? catalogs.get(product) : undefined;
  if (!catalog) {
    const message =
      typeof product === 'string'
        ? `"${product}" has no fact catalog; known products: ${catalogs.products().join(', ')}`
        : `is required to choose the fact catalog; known products: ${catalogs.products().join(', ')}`;
    return { ok: false, code: 'product_unknown', problems: [{ code: 'product_unknown', path: 'product', message }] };
  }
  const result = validateProgram(document, catalog);
  if (result.ok) return { ok: true, program: result.program };
  return {
    ok: false,
    code: 'program_invalid',
    problems: result.problems.map((p) => ({ code: p.code, path: p.path, message: p.message })),
  };
}

/** `checkProgram`, throwing the typed error a save reports. */
export function validateForSave(catalogs: CatalogRegistry, document: unknown): ProgramDocument {
  const check = checkProgram(catalogs, document);
  if (check.ok) return check.program;
  const message =
    check.code === 'product_unknown'
      ? `program product is unknown: ${check.problems[0]?.message ?? ''}`
      : `program is invalid (${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}); nothing was stored`;
  throw new ProgramError(check.code, message, { issues: check.problems });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
