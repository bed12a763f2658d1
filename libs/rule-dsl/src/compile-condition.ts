import { type Datatype, instantMs, type ParsedLiteral, parseLiteral } from './datatypes';
import { compareDecimals, type Decimal, decimalFromNumber, parseDecimal } from './decimal';
import { RuleDslError } from './errors';
import { type BranchTrace, CONDITION_OUTCOMES, type ConditionTrace, type GroupOutcome } from './explain';
import { type FactCatalog, type FactDefinition, type FactSet, lookupFact } from './fact-catalog';
import { type Operator, valueDatatypeFor } from './operators';
import {
  type Comparison,
  type Condition,
  isPredicateRef,
  type Literal,
  isScheduleTerm,
  type PredicateTerm,
  type ProgramDocument,
  SCHEDULE_TERMS,
  type Term,
} from './program.schema';

/*
 * Compilation of conditions into closures. Everything a document says is resolved here, once:
 * fact paths are split, terms and literals parsed, operators chosen. What remains per evaluation is
 * reading a few properties and comparing.
 *
 * Outcomes are small integers (indexes into CONDITION_OUTCOMES) so the hot path allocates nothing.
 * Any outcome other than 0 (not matched) and 1 (matched) is *unknown*: three-valued logic, where
 * AND is false if any part is false, OR is true if any part is true, and NOT unknown is unknown.
 * A missing fact therefore never turns into a match through a negation.
 */

export const NOT_MATCHED = 0;
export const MATCHED = 1;
export const FACT_MISSING = 2;
export const FACT_WRONG_TYPE = 3;
export const CURRENCY_MISMATCH = 4;
export const UNKNOWN = 5;

/** Reads one fact from a fact set; clock facts read the evaluation instant (epoch ms). */
export type Reader = (facts: FactSet, at: number) => unknown;
/** A condition's outcome code. */
export type Test = (facts: FactSet, at: number) => number;
/** A fact value's outcome code against the condition's operator and expected value. */
type Check = (value: unknown) => number;
/** -1, 0, 1 against the expected value; NaN for a value of the wrong type; 2 for another currency. */
type Compare = (value: unknown) => number;

const INCOMPARABLE = 2;

export interface CompiledCondition {
  readonly test: Test;
  readonly trace: (facts: FactSet, at: number) => ConditionTrace;
}

// ---------------------------------------------------------------------------------------------
// Reading facts.

export function compileReader(fact: FactDefinition): Reader {
  if (fact.clock) return (_facts, at) => at;
  const segments = fact.path.split('.');
  const [a = '', b = '', c = ''] = segments;
  // Unrolled for the usual depths: fact sets are read millions of times, catalogs rarely nest deeper.
  switch (segments.length) {
    case 1:
      return (facts) => facts[a];
    case 2:
      return (facts) => {
        const o = facts[a];
        return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b] : undefined;
      };
    case 3:
      return (facts) => {
        const o = facts[a];
        const p = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b] : undefined;
        return typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[c] : undefined;
      };
    default:
      return (facts) => {
        let node: unknown = facts;
        for (const segment of segments) {
          if (typeof node !== 'object' || node === null) return undefined;
          node = (node as Record<string, unknown>)[segment];
        }
        return node;
      };
  }
}

/** A fact value as an explanation shows it: JSON-compatible, instants as ISO strings, absent as null. */
export function actualValue(value: unknown, fact: FactDefinition): unknown {
  if (value === undefined || value === null) return null;
  if (fact.clock && typeof value === 'number') return new Date(value).toISOString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  return value;
}

// ---------------------------------------------------------------------------------------------
// Fact values against expected values.

const isSafeInteger = (v: unknown): boolean => Number.isSafeInteger(v);
const isString = (v: unknown): boolean => typeof v === 'string';

/** Whether a present fact value has its datatype's shape (for presence tests). */
export function conformsTo(datatype: Datatype, clock: boolean): (value: unknown) => boolean {
  switch (datatype) {
    case 'bool':
      return (v) => typeof v === 'boolean';
    case 'int':
      return isSafeInteger;
    case 'decimal':
      return (v) => (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && parseDecimal(v) !== undefined);
    case 'money':
      return (v) => {
        if (typeof v !== 'object' || v === null) return false;
        const { amountMinor, currency } = v as { amountMinor?: unknown; currency?: unknown };
        return Number.isSafeInteger(amountMinor) && typeof currency === 'string';
      };
    case 'string':
      return isString;
    case 'datetime':
      return clock ? () => true : (v) => instantMs(v) !== undefined;
    case 'list[int]':
      return (v) => Array.isArray(v) && v.every(isSafeInteger);
    case 'list[string]':
      return (v) => Array.isArray(v) && v.every(isString);
  }
}

function sign(difference: number): number {
  return difference < 0 ? -1 : difference > 0 ? 1 : 0;
}

function intCompare(expected: number): Compare {
  return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? (v < expected ? -1 : v > expected ? 1 : 0) : NaN);
}

function decimalCompare(expected: Decimal, fast: number | undefined): Compare {
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return NaN;
      // Exact: the expected decimal is this number's shortest form, and shortest forms order like doubles.
      if (fast !== undefined) return v < fast ? -1 : v > fast ? 1 : 0;
      const d = decimalFromNumber(v);
      return d ? compareDecimals(d, expected) : NaN;
    }
    if (typeof v === 'string') {
      const d = parseDecimal(v);
      return d ? compareDecimals(d, expected) : NaN;
    }
    return NaN;
  };
}

function moneyCompare(expected: { amountMinor: number; currency: string }): Compare {
  return (v) => {
    if (typeof v !== 'object' || v === null) return NaN;
    const { amountMinor, currency } = v as { amountMinor?: unknown; currency?: unknown };
    if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || typeof currency !== 'string') return NaN;
    if (currency !== expected.currency) return INCOMPARABLE;
    return sign(amountMinor - expected.amountMinor);
  };
}

function datetimeCompare(expectedMs: number, clock: boolean): Compare {
  if (clock) return (v) => ((v as number) < expectedMs ? -1 : (v as number) > expectedMs ? 1 : 0);
  return (v) => {
    const ms = instantMs(v);
    return ms === undefined ? NaN : ms < expectedMs ? -1 : ms > expectedMs ? 1 : 0;
  };
}

function equalityCompare(expected: unknown, isType: (v: unknown) => boolean): Compare {
  return (v) => (isType(v) ? (v === expected ? 0 : 1) : NaN);
}

function listCompare(expected: readonly unknown[], isElement: (v: unknown) => boolean): Compare {
  return (v) => {
    if (!Array.isArray(v) || !v.every(isElement)) return NaN;
    if (v.length !== expected.length) return 1;
    for (let i = 0; i < v.length; i++) if (v[i] !== expected[i]) return 1;
    return 0;
  };
}

/** eq, neq and the orderings, from a comparison against the expected value. */
function bySign(operator: Operator, compare: Compare): Check {
  switch (operator) {
    case 'eq':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c === 0 ? MATCHED : c !== c ? FACT_WRONG_TYPE : NOT_MATCHED;
      };
    case 'neq':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c === 0 ? NOT_MATCHED : c !== c ? FACT_WRONG_TYPE : MATCHED;
      };
    case 'lt':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c !== c ? FACT_WRONG_TYPE : c === INCOMPARABLE ? CURRENCY_MISMATCH : c < 0 ? MATCHED : NOT_MATCHED;
      };
    case 'lte':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c !== c ? FACT_WRONG_TYPE : c === INCOMPARABLE ? CURRENCY_MISMATCH : c <= 0 ? MATCHED : NOT_MATCHED;
      };
    case 'gt':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c !== c ? FACT_WRONG_TYPE : c === INCOMPARABLE ? CURRENCY_MISMATCH : c > 0 ? MATCHED : NOT_MATCHED;
      };
    case 'gte':
      return (v) => {
        if (v === undefined || v === null) return FACT_MISSING;
        const c = compare(v);
        return c !== c ? FACT_WRONG_TYPE : c === INCOMPARABLE ? CURRENCY_MISMATCH : c >= 0 ? MATCHED : NOT_MATCHED;
      };
    default:
      throw new RuleDslError('program_invalid', `operator ${operator} is not an equality or ordering`);
  }
}

function membership(negate: boolean, members: readonly unknown[], isType: (v: unknown) => boolean): Check {
  const set = new Set(members);
  const hit = negate ? NOT_MATCHED : MATCHED;
  const miss = negate ? MATCHED : NOT_MATCHED;
  return (v) => (v === undefined || v === null ? FACT_MISSING : !isType(v) ? FACT_WRONG_TYPE : set.has(v) ? hit : miss);
}

function containment(negate: boolean, element: unknown, isElement: (v: unknown) => boolean): Check {
  const hit = negate ? NOT_MATCHED : MATCHED;
  const miss = negate ? MATCHED : NOT_MATCHED;
  return (v) => {
    if (v === undefined || v === null) return FACT_MISSING;
    if (!Array.isArray(v) || !v.every(isElement)) return FACT_WRONG_TYPE;
    return v.includes(element) ? hit : miss;
  };
}

function compareFor(literal: ParsedLiteral, clock: boolean): Compare {
  switch (literal.datatype) {
    case 'bool':
      return equalityCompare(literal.value, (v) => typeof v === 'boolean');
    case 'int':
      return intCompare(literal.value);
    case 'decimal':
      return decimalCompare(literal.value.decimal, literal.value.fast);
    case 'money':
      return moneyCompare(literal.value);
    case 'string':
      return equalityCompare(literal.value, isString);
    case 'datetime':
      return datetimeCompare(literal.value, clock);
    case 'list[int]':
      return listCompare(literal.value, isSafeInteger);
    case 'list[string]':
      return listCompare(literal.value, isString);
  }
}

/** The check for `fact operator literal` (literal undefined for unary operators). */
export function compileCheck(fact: FactDefinition, operator: Operator, literal: ParsedLiteral | undefined): Check {
  const clock = fact.clock === true;
  switch (operator) {
    case 'is_set':
    case 'is_not_set': {
      const conforms = conformsTo(fact.datatype, clock);
      const set = operator === 'is_set' ? MATCHED : NOT_MATCHED;
      const unset = operator === 'is_set' ? NOT_MATCHED : MATCHED;
      return (v) => (v === undefined || v === null ? unset : conforms(v) ? set : FACT_WRONG_TYPE);
    }
    case 'is_true':
      return (v) => (typeof v === 'boolean' ? (v ? MATCHED : NOT_MATCHED) : v === undefined || v === null ? FACT_MISSING : FACT_WRONG_TYPE);
    case 'is_false':
      return (v) => (typeof v === 'boolean' ? (v ? NOT_MATCHED : MATCHED) : v === undefined || v === null ? FACT_MISSING : FACT_WRONG_TYPE);
  }
  if (!literal) throw new RuleDslError('program_invalid', `${fact.path} ${operator} needs a value`);
  switch (operator) {
    case 'in':
    case 'not_in':
      if (literal.datatype !== 'list[int]' && literal.datatype !== 'list[string]') break;
      return membership(operator === 'not_in', literal.value, fact.datatype === 'int' ? isSafeInteger : isString);
    case 'contains':
    case 'not_contains':
      if (literal.datatype !== 'int' && literal.datatype !== 'string') break;
      return containment(operator === 'not_contains', literal.value, fact.datatype === 'list[int]' ? isSafeInteger : isString);
    default:
      return bySign(operator, compareFor(literal, clock));
  }
  throw new RuleDslError('program_invalid', `${fact.path} ${operator} cannot take a ${literal.datatype}`);
}

// ---------------------------------------------------------------------------------------------
// Three-valued groups.

/** AND: not matched as soon as one part is not matched; matched only if all are; else unknown. */
export function allOf(tests: readonly Test[]): Test {
  const [first, second, third] = tests;
  if (tests.length === 0) return () => MATCHED;
  if (tests.length === 1 && first) return first;
  if (tests.length === 2 && first && second) {
    return (facts, at) => {
      const a = first(facts, at);
      if (a === NOT_MATCHED) return NOT_MATCHED;
      const b = second(facts, at);
      if (b === NOT_MATCHED) return NOT_MATCHED;
      return a === MATCHED && b === MATCHED ? MATCHED : UNKNOWN;
    };
  }
  if (tests.length === 3 && first && second && third) {
    return (facts, at) => {
      const a = first(facts, at);
      if (a === NOT_MATCHED) return NOT_MATCHED;
      const b = second(facts, at);
      if (b === NOT_MATCHED) return NOT_MATCHED;
      const c = third(facts, at);
      if (c === NOT_MATCHED) return NOT_MATCHED;
      return a === MATCHED && b === MATCHED && c === MATCHED ? MATCHED : UNKNOWN;
    };
  }
  const count = tests.length;
  return (facts, at) => {
    let result = MATCHED;
    for (let i = 0; i < count; i++) {
      const outcome = (tests[i] as Test)(facts, at);
      if (outcome === NOT_MATCHED) return NOT_MATCHED;
      if (outcome !== MATCHED) result = UNKNOWN;
    }
    return result;
  };
}

/** OR: matched as soon as one part is matched; not matched only if none is; else unknown. */
export function anyOf(tests: readonly Test[]): Test {
  const [first] = tests;
  if (tests.length === 1 && first) return first;
  const count = tests.length;
  return (facts, at) => {
    let result = NOT_MATCHED;
    for (let i = 0; i < count; i++) {
      const outcome = (tests[i] as Test)(facts, at);
      if (outcome === MATCHED) return MATCHED;
      if (outcome !== NOT_MATCHED) result = UNKNOWN;
    }
    return result;
  };
}

/** The AND of outcomes already computed (explanations evaluate every condition). */
export function andOutcome(outcomes: readonly number[]): number {
  let result = MATCHED;
  for (const outcome of outcomes) {
    if (outcome === NOT_MATCHED) return NOT_MATCHED;
    if (outcome !== MATCHED) result = UNKNOWN;
  }
  return result;
}

export function groupOutcome(outcome: number): GroupOutcome {
  return outcome === MATCHED ? 'matched' : outcome === NOT_MATCHED ? 'not_matched' : 'unknown';
}

export function traceOutcomeCode(trace: ConditionTrace): number {
  return trace.outcome === 'matched' ? MATCHED : trace.outcome === 'not_matched' ? NOT_MATCHED : UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// Conditions of a program.

interface CompiledPredicate {
  readonly test: Test;
  readonly trace: (facts: FactSet, at: number) => { branches: BranchTrace[]; matchedBranch: number | null; outcome: number };
}

/** Compiles the conditions of one (validated) program. */
export class ConditionCompiler {
  private readonly terms = new Map<string, { term: Term; index: number }>();
  private readonly predicates = new Map<string, CompiledPredicate>();
  private readonly compiling = new Set<string>();

  constructor(
    private readonly program: ProgramDocument,
    private readonly catalog: FactCatalog,
  ) {
    program.terms.forEach((term, index) => this.terms.set(term.name, { term, index }));
  }

  compileAll(conditions: readonly Condition[], path: string): CompiledCondition[] {
    return conditions.map((condition, index) => this.compile(condition, `${path}[${index}]`));
  }

  compile(condition: Condition, path: string): CompiledCondition {
    return isPredicateRef(condition)
      ? this.compileReference(condition.predicate, condition.negate === true, path)
      : this.compileComparison(condition, path);
  }

  private compileComparison(condition: Comparison, path: string): CompiledCondition {
    const fact = lookupFact(this.catalog, condition.subject);
    if (!fact) throw invalid(`${path}: unknown subject ${condition.subject}`);
    const { operator } = condition;
    const expectedType = valueDatatypeFor(operator, fact.datatype);
    let expected: Literal | undefined;
    if (condition.term !== undefined) expected = this.valueOfTerm(condition.term);
    else expected = condition.value;
    const literal = expectedType === undefined ? undefined : parseLiteral(expectedType, expected);
    if (expectedType !== undefined && !literal) throw invalid(`${path}: value does not parse as ${expectedType}`);
    const read = compileReader(fact);
    const check = compileCheck(fact, operator, literal);
    const test: Test = (facts, at) => check(read(facts, at));
    const term = condition.term;
    const subject = fact.path;
    return {
      test,
      trace: (facts, at) => {
        const raw = read(facts, at);
        return {
          kind: 'comparison',
          path,
          outcome: CONDITION_OUTCOMES[check(raw)] ?? 'unknown',
          subject,
          operator,
          ...(expected === undefined ? {} : { expected }),
          ...(term === undefined ? {} : { term }),
          actual: actualValue(raw, fact),
        };
      },
    };
  }

  private valueOfTerm(name: string): Literal {
    if (isScheduleTerm(name)) return this.program.schedule[SCHEDULE_TERMS[name]];
    const entry = this.terms.get(name);
    if (!entry || entry.term.kind !== 'value') throw invalid(`no value term ${name}`);
    return entry.term.value;
  }

  private compileReference(name: string, negate: boolean, path: string): CompiledCondition {
    const predicate = this.compilePredicate(name);
    const test: Test = negate
      ? (facts, at) => {
          const outcome = predicate.test(facts, at);
          return outcome === MATCHED ? NOT_MATCHED : outcome === NOT_MATCHED ? MATCHED : UNKNOWN;
        }
      : predicate.test;
    return {
      test,
      trace: (facts, at) => {
        const { branches, matchedBranch, outcome } = predicate.trace(facts, at);
        const negated = !negate ? outcome : outcome === MATCHED ? NOT_MATCHED : outcome === NOT_MATCHED ? MATCHED : UNKNOWN;
        return { kind: 'predicate', path, outcome: groupOutcome(negated), predicate: name, negate, matchedBranch, branches };
      },
    };
  }

  private compilePredicate(name: string): CompiledPredicate {
    const cached = this.predicates.get(name);
    if (cached) return cached;
    const entry = this.terms.get(name);
    if (!entry || entry.term.kind !== 'predicate') throw invalid(`no predicate term ${name}`);
    if (this.compiling.has(name)) throw invalid(`predicate ${name} refers to itself`);
    this.compiling.add(name);
    const term: PredicateTerm = entry.term;
    const branches = term.branches.map((branch, b) => this.compileAll(branch, `terms[${entry.index}].branches[${b}]`));
    this.compiling.delete(name);
    const test = anyOf(branches.map((branch) => allOf(branch.map((condition) => condition.test))));
    const compiled: CompiledPredicate = {
      test,
      trace: (facts, at) => {
        let matchedBranch: number | null = null;
        let outcome = NOT_MATCHED;
        const traces = branches.map((branch, index): BranchTrace => {
          const conditions = branch.map((condition) => condition.trace(facts, at));
          const branchOutcome = andOutcome(conditions.map(traceOutcomeCode));
          if (branchOutcome === MATCHED && matchedBranch === null) matchedBranch = index;
          if (branchOutcome === MATCHED) outcome = MATCHED;
          else if (branchOutcome !== NOT_MATCHED && outcome !== MATCHED) outcome = UNKNOWN;
          return { index, outcome: groupOutcome(branchOutcome), conditions };
        });
        return { branches: traces, matchedBranch, outcome };
      },
    };
    this.predicates.set(name, compiled);
    return compiled;
  }
}

function invalid(message: string): RuleDslError {
  return new RuleDslError('program_invalid', `cannot compile an invalid program: ${message}`);
}
