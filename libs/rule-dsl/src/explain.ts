import { formatDecimal, toDecimal } from './decimal';
import { formatMoney, type Money } from './money';
import { type Operator } from './operators';
import { type Literal } from './program.schema';

/*
 * Explanations: why a decision came out the way it did. Plain JSON-compatible data, so the admin
 * "simulate" view can render it and support can store it next to a decision.
 */

/**
 * How one condition came out. A missing or mistyped fact, or money in another currency than the
 * expected value, makes the condition *unknown*, never a match, and never a silent non-match that
 * a negation could turn into a match.
 */
export const CONDITION_OUTCOMES = ['not_matched', 'matched', 'fact_missing', 'fact_wrong_type', 'currency_mismatch', 'unknown'] as const;
export type ConditionOutcome = (typeof CONDITION_OUTCOMES)[number];

/** The outcome of a group of conditions (a branch, a predicate, a rule): three-valued logic. */
export type GroupOutcome = 'matched' | 'not_matched' | 'unknown';

/** `subject operator value`. */
export interface ComparisonTrace {
  readonly kind: 'comparison';
  /** The condition's path in the document (`rewardRules[0].conditions[1]`). */
  readonly path: string;
  readonly outcome: ConditionOutcome;
  readonly subject: string;
  readonly operator: Operator;
  /** The expected value, resolved from the term when the condition names one; absent for unary operators. */
  readonly expected?: Literal;
  readonly term?: string;
  /** The fact's value as found (instants as ISO strings); null when absent. */
  readonly actual: unknown;
}

/** A reference to a predicate term: the predicate's branches, and the outcome after negation. */
export interface PredicateTrace {
  readonly kind: 'predicate';
  readonly path: string;
  readonly outcome: GroupOutcome;
  readonly predicate: string;
  readonly negate: boolean;
  /** The first branch that matched (before negation), or null. */
  readonly matchedBranch: number | null;
  readonly branches: readonly BranchTrace[];
}

export interface BranchTrace {
  readonly index: number;
  readonly outcome: GroupOutcome;
  readonly conditions: readonly ConditionTrace[];
}

export type ConditionTrace = ComparisonTrace | PredicateTrace;

/** A program window checked against the evaluation instant: [from, until). */
export interface WindowTrace {
  readonly name: 'inviting' | 'rewards';
  readonly from: string;
  readonly until: string;
  readonly at: string;
  readonly open: boolean;
}

export interface RuleTrace {
  readonly index: number;
  readonly description: string;
  readonly outcome: GroupOutcome;
  readonly conditions: readonly ConditionTrace[];
}

export interface EligibilityExplanation {
  readonly at: string;
  readonly window: WindowTrace;
  /** Present when the window was open: every eligibility condition, evaluated. */
  readonly conditions: readonly ConditionTrace[];
}

export interface RewardComputationTrace {
  readonly ruleIndex: number;
  readonly type: 'fixed' | 'percent' | 'free_period' | 'credits';
  readonly outcome: 'computed' | 'zero' | 'fact_missing' | 'fact_wrong_type' | 'fact_out_of_range';
  /** Percent rewards: the base fact, its value as found, and the rate. */
  readonly of?: string;
  readonly base?: unknown;
  readonly percent?: string;
  readonly amount?: Money;
}

export interface RewardExplanation {
  readonly at: string;
  readonly event: { readonly expected: string; readonly actual: string; readonly matched: boolean };
  readonly window?: WindowTrace;
  /** Rules in order up to the one that decided (matched, or could not be decided). */
  readonly rules: readonly RuleTrace[];
  readonly reward?: RewardComputationTrace;
}

/** Every comparison under a list of traces (through predicate branches), depth first. */
export function flattenTraces(traces: readonly ConditionTrace[]): ComparisonTrace[] {
  const out: ComparisonTrace[] = [];
  const walk = (list: readonly ConditionTrace[]): void => {
    for (const trace of list) {
      if (trace.kind === 'comparison') out.push(trace);
      else for (const branch of trace.branches) walk(branch.conditions);
    }
  };
  walk(traces);
  return out;
}

/** The comparisons that did not match (including unknown ones), through predicates. */
export function failedComparisons(traces: readonly ConditionTrace[]): ComparisonTrace[] {
  return flattenTraces(traces).filter((trace) => trace.outcome !== 'matched');
}

function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'object' && !Array.isArray(value) && 'amountMinor' in value && 'currency' in value) {
    const money = value as Money;
    return Number.isSafeInteger(money.amountMinor) && typeof money.currency === 'string' ? formatMoney(money) : JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

const OUTCOME_TEXT: Record<ConditionOutcome, string> = {
  matched: 'matched',
  not_matched: 'not matched',
  fact_missing: 'UNKNOWN: fact missing',
  fact_wrong_type: 'UNKNOWN: fact has the wrong type',
  currency_mismatch: 'UNKNOWN: different currency',
  unknown: 'UNKNOWN',
};

/** One line per condition, indented by depth: for logs, support tickets and the CLI. */
export function formatTraces(traces: readonly ConditionTrace[], depth = 0): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  for (const trace of traces) {
    if (trace.kind === 'comparison') {
      const expected = trace.expected === undefined ? '' : ` ${trace.term ? `${trace.term} (${showValue(trace.expected)})` : showValue(trace.expected)}`;
      lines.push(`${pad}${trace.subject} ${trace.operator}${expected}: ${OUTCOME_TEXT[trace.outcome]} (actual ${showValue(trace.actual)}) [${trace.path}]`);
      continue;
    }
    const branch = trace.matchedBranch === null ? '' : `, branch ${trace.matchedBranch + 1} matched`;
    lines.push(`${pad}${trace.negate ? 'not ' : ''}${trace.predicate}: ${trace.outcome.replace('_', ' ')}${branch} [${trace.path}]`);
    for (const b of trace.branches) {
      lines.push(`${pad}  branch ${b.index + 1}: ${b.outcome.replace('_', ' ')}`);
      lines.push(...formatTraces(b.conditions, depth + 2));
    }
  }
  return lines;
}

export function formatWindow(window: WindowTrace): string {
  return `${window.name} window [${window.from}, ${window.until}) at ${window.at}: ${window.open ? 'open' : 'closed'}`;
}

export function formatRewardComputation(trace: RewardComputationTrace): string {
  const amount = trace.amount ? ` = ${formatMoney(trace.amount)}` : '';
  if (trace.type !== 'percent') return `reward of rule ${trace.ruleIndex + 1} (${trace.type}): ${trace.outcome}${amount}`;
  const percent = trace.percent === undefined ? '?' : formatDecimal(toDecimal(trace.percent) ?? { units: 0n, scale: 0 });
  return `reward of rule ${trace.ruleIndex + 1}: ${percent}% of ${trace.of ?? '?'} (${showValue(trace.base)}): ${trace.outcome}${amount}`;
}
