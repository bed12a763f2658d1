import { type ProgramDocument, validateProgram } from '@referrals/rule-dsl';
import { type CatalogRegistry } from './catalog-registry';
import { ProgramError, type ProgramIssue } from './programs.errors';

export type SaveCheck =
  | { readonly ok: true; readonly program: ProgramDocument }
  | { readonly ok: false; readonly code: 'product_unknown' | 'program_invalid' | 'priority_conflict'; readonly problems: readonly ProgramIssue[] };

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
  const empty = emptyValueProblems(document);
  if (result.ok && empty.length === 0) return { ok: true, program: result.program };
  const problems = result.ok ? [] : result.problems.map((p) => ({ code: p.code, path: p.path, message: p.message }));
  return { ok: false, code: 'program_invalid', problems: [...problems, ...empty.filter((e) => !problems.some((p) => p.path === e.path))] };
}

/**
 * Empty literals are refused at save: `in []` never matches and `eq ""` is almost always a field
 * left blank, both of which the language itself would accept (it has no opinion on emptiness).
 * The document is walked defensively: it may be malformed (its shape problems are reported above).
 */
export function emptyValueProblems(document: unknown): ProgramIssue[] {
  const problems: ProgramIssue[] = [];
  const isEmpty = (value: unknown) => (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
  const message = (value: unknown) => (Array.isArray(value) ? 'is an empty list: give at least one item' : 'is empty: give a value');
  const conditions = (list: unknown, path: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((c, i) => {
      if (isRecord(c) && 'subject' in c && isEmpty(c['value'])) problems.push({ code: 'value_empty', path: `${path}[${i}].value`, message: message(c['value']) });
    });
  };
  if (!isRecord(document)) return problems;
  const terms = Array.isArray(document['terms']) ? document['terms'] : [];
  terms.forEach((t, i) => {
    if (!isRecord(t)) return;
    if (t['kind'] === 'value' && isEmpty(t['value'])) problems.push({ code: 'value_empty', path: `terms[${i}].value`, message: message(t['value']) });
    if (Array.isArray(t['branches'])) t['branches'].forEach((b, j) => conditions(b, `terms[${i}].branches[${j}]`));
  });
  conditions(document['eligibility'], 'eligibility');
  const rules = Array.isArray(document['rewardRules']) ? document['rewardRules'] : [];
  rules.forEach((r, i) => isRecord(r) && conditions(r['conditions'], `rewardRules[${i}].conditions`));
  return problems;
}

/** `checkProgram`, throwing the typed error a save reports. */
export function validateForSave(catalogs: CatalogRegistry, document: unknown): ProgramDocument {
  const check = checkProgram(catalogs, document);
  if (check.ok) return check.program;
  // checkProgram reads nothing, so it never reports a priority conflict (the save itself does).
  const message =
    check.code === 'product_unknown'
      ? `program product is unknown: ${check.problems[0]?.message ?? ''}`
      : `program is invalid (${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}); nothing was stored`;
  throw new ProgramError(check.code, message, { issues: check.problems });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
