/**
 * Save-time problems: a stable snake_case code (what clients switch on), the path of the field at
 * fault (`rewardRules[0].conditions[1].operator`) and a sentence for people. Codes never change
 * meaning; new ones may be added.
 */
export const PROBLEM_CODES = [
  // Shape (from the document schema)
  'field_required',
  'field_unknown',
  'field_invalid',
  'operator_unknown',
  'datatype_unknown',
  // Identity, schedule, trigger
  'product_mismatch',
  'schedule_out_of_order',
  'trigger_unknown',
  // Terms
  'term_name_duplicate',
  'term_name_reserved',
  // Conditions
  'subject_unknown',
  'operator_invalid_for_datatype',
  'operator_requires_optional_fact',
  'value_required',
  'value_unexpected',
  'value_and_term_both_given',
  'literal_invalid',
  'term_unknown',
  'term_kind_mismatch',
  'term_type_mismatch',
  'predicate_cycle',
  'fact_phase_invalid',
  // Rewards
  'percent_base_not_numeric',
  'reward_amount_invalid',
  'reward_currency_required',
  'reward_currency_unexpected',
] as const;

export type ProblemCode = (typeof PROBLEM_CODES)[number];

export interface Problem {
  readonly code: ProblemCode;
  /** Where in the document: `terms[2].branches[0][1].subject`; `` for the document itself. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;

/** `['rewardRules', 0, 'conditions', 1, 'operator']` -> `rewardRules[0].conditions[1].operator`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

/** Collects problems in document order, once each. */
export class ProblemList {
  private readonly items: Problem[] = [];
  private readonly seen = new Set<string>();

  add(code: ProblemCode, path: readonly PathSegment[] | string, message: string): void {
    const at = typeof path === 'string' ? path : formatPath(path);
    const key = `${code}\u0000${at}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ code, path: at, message });
  }

  get list(): readonly Problem[] {
    return this.items;
  }
}
