import { type Datatype, type ParsedLiteral } from './datatypes';
import * as datatypesModule from './datatypes';
import { type Decimal } from './decimal';
import * as decimalModule from './decimal';
import { RuleDslError } from './errors';
import * as instantsModule from './instants';
import { type BranchTrace, type ComparisonTrace, type ConditionOutcome, type ConditionTrace, type GroupOutcome } from './explain';
import * as explainModule from './explain';
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

// Imported bindings read once (see compile-program.ts: under tsx and Jest each read is a getter call).
const { instantMs, parseInstant, parseLiteral } = datatypesModule;
const { compareDecimals, decimalFromNumber, exactNumberFromText, parseDecimal } = decimalModule;
const { instantText } = instantsModule;
const { CONDITION_OUTCOMES } = explainModule;

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

/** Builds the test of a flat AND (see CompiledCondition.conjuncts). */
export const conjoin = (conjuncts: readonly Test[]): Test => allOf(conjuncts);

export interface CompiledCondition {
  readonly test: Test;
  /**
   * The flat AND this condition amounts to: itself, or for a plain reference to a one-branch
   * predicate, that branch's conjuncts. AND is associative in three-valued logic too, so parents
   * splice these in and evaluate one flat conjunction instead of a tree of calls.
   */
  readonly conjuncts: readonly Test[];
  /** The explaining path; `atText` is the evaluation instant as ISO text, computed once per evaluation. */
  readonly trace: (facts: FactSet, at: number, atText: string) => ConditionTrace;
  /** Paths of the facts it reads (through predicates too), clock facts left out. */
  readonly factPaths: readonly string[];
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

/**
 * A condition's test: read the fact and check it, in one closure for the usual depths (one call
 * less per condition than composing a reader and a check).
 */
export function compileTest(fact: FactDefinition, check: Check): Test {
  if (fact.clock) return (_facts, at) => check(at);
  const segments = fact.path.split('.');
  const [a = '', b = '', c = ''] = segments;
  switch (segments.length) {
    case 1:
      return (facts) => check(facts[a]);
    case 2:
      return (facts) => {
        const o = facts[a];
        return check(typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b] : undefined);
      };
    case 3:
      return (facts) => {
        const o = facts[a];
        const p = typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[b] : undefined;
        return check(typeof p === 'object' && p !== null ? (p as Record<string, unknown>)[c] : undefined);
      };
    default: {
      const read = compileReader(fact);
      return (facts, at) => check(read(facts, at));
    }
  }
}

/** A fact value as an explanation shows it: JSON-compatible, instants as ISO strings, absent as null. */
export function actualValue(value: unknown, fact: FactDefinition): unknown {
  if (value === undefined || value === null) return null;
  if (fact.clock && typeof value === 'number') return instantText(value);
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

/*
 * Equality and ordering share one closure per datatype: the operator only decides which outcome
 * "less", "equal", "greater" and "other currency" map to. Fewer distinct closures keep the engine's
 * call sites monomorphic, which is most of the speed of compiled closures.
 */
interface SignOutcomes {
  readonly less: number;
  readonly equal: number;
  readonly greater: number;
  /** Money in another currency than the expected value: unequal, and not comparable. */
  readonly otherCurrency: number;
}

const SIGN_OUTCOMES: Partial<Record<Operator, SignOutcomes>> = {
  eq: { less: NOT_MATCHED, equal: MATCHED, greater: NOT_MATCHED, otherCurrency: NOT_MATCHED },
  neq: { less: MATCHED, equal: NOT_MATCHED, greater: MATCHED, otherCurrency: MATCHED },
  lt: { less: MATCHED, equal: NOT_MATCHED, greater: NOT_MATCHED, otherCurrency: CURRENCY_MISMATCH },
  lte: { less: MATCHED, equal: MATCHED, greater: NOT_MATCHED, otherCurrency: CURRENCY_MISMATCH },
  gt: { less: NOT_MATCHED, equal: NOT_MATCHED, greater: MATCHED, otherCurrency: CURRENCY_MISMATCH },
  gte: { less: NOT_MATCHED, equal: MATCHED, greater: MATCHED, otherCurrency: CURRENCY_MISMATCH },
};

/** The outcome for a value that is not usable: absent (missing) or present with the wrong shape. */
function unusable(v: unknown): number {
  return v === undefined || v === null ? FACT_MISSING : FACT_WRONG_TYPE;
}

function intCheck(expected: number, { less, equal, greater }: SignOutcomes): Check {
  return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? (v < expected ? less : v > expected ? greater : equal) : unusable(v));
}

function datetimeCheck(expectedMs: number, { less, equal, greater }: SignOutcomes, clock: boolean): Check {
  // A clock fact is the evaluation instant, already epoch milliseconds.
  if (clock) return (v) => ((v as number) < expectedMs ? less : (v as number) > expectedMs ? greater : equal);
  return (v) => {
    const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? parseInstant(v) : undefined;
    if (ms === undefined || ms !== ms) return unusable(v);
    return ms < expectedMs ? less : ms > expectedMs ? greater : equal;
  };
}

function decimalCheck(expected: Decimal, fast: number | undefined, { less, equal, greater }: SignOutcomes): Check {
  const bySign = (sign: number): number => (sign < 0 ? less : sign > 0 ? greater : equal);
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return FACT_WRONG_TYPE;
      // Exact: the expected decimal is this double's shortest form, and shortest forms order like doubles.
      if (fast !== undefined) return v < fast ? less : v > fast ? greater : equal;
      const d = decimalFromNumber(v);
      return d ? bySign(compareDecimals(d, expected)) : FACT_WRONG_TYPE;
    }
    if (typeof v === 'string') {
      if (fast !== undefined) {
        const n = exactNumberFromText(v);
        if (n !== undefined) return n < fast ? less : n > fast ? greater : equal;
      }
      const d = parseDecimal(v);
      return d ? bySign(compareDecimals(d, expected)) : FACT_WRONG_TYPE;
    }
    return unusable(v);
  };
}

function moneyCheck(expected: { amountMinor: number; currency: string }, outcomes: SignOutcomes): Check {
  const { less, equal, greater, otherCurrency } = outcomes;
  const { amountMinor: expectedMinor, currency: expectedCurrency } = expected;
  return (v) => {
    if (typeof v !== 'object' || v === null) return unusable(v);
    const { amountMinor, currency } = v as { amountMinor?: unknown; currency?: unknown };
    if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || typeof currency !== 'string') return FACT_WRONG_TYPE;
    if (currency !== expectedCurrency) return otherCurrency;
    return amountMinor < expectedMinor ? less : amountMinor > expectedMinor ? greater : equal;
  };
}

function scalarEqualityCheck(expected: string | boolean, { less, equal }: SignOutcomes): Check {
  // For eq/neq only: "less" stands for "different".
  const type = typeof expected;
  return (v) => (typeof v === type ? (v === expected ? equal : less) : unusable(v));
}

function listEqualityCheck(expected: readonly unknown[], isElement: (v: unknown) => boolean, { less, equal }: SignOutcomes): Check {
  return (v) => {
    if (!Array.isArray(v) || !v.every(isElement)) return unusable(v);
    if (v.length !== expected.length) return less;
    for (let i = 0; i < v.length; i++) if (v[i] !== expected[i]) return less;
    return equal;
  };
}

function membershipCheck(negate: boolean, members: readonly unknown[], isType: (v: unknown) => boolean): Check {
  const set = new Set(members);
  const hit = negate ? NOT_MATCHED : MATCHED;
  const miss = negate ? MATCHED : NOT_MATCHED;
  return (v) => (isType(v) ? (set.has(v) ? hit : miss) : unusable(v));
}

function containmentCheck(negate: boolean, element: unknown, isElement: (v: unknown) => boolean): Check {
  const hit = negate ? NOT_MATCHED : MATCHED;
  const miss = negate ? MATCHED : NOT_MATCHED;
  return (v) => (Array.isArray(v) && v.every(isElement) ? (v.includes(element) ? hit : miss) : unusable(v));
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
    case 'is_false': {
      const whenTrue = operator === 'is_true' ? MATCHED : NOT_MATCHED;
      const whenFalse = operator === 'is_true' ? NOT_MATCHED : MATCHED;
      return (v) => (typeof v === 'boolean' ? (v ? whenTrue : whenFalse) : unusable(v));
    }
  }
  if (!literal) throw new RuleDslError('program_invalid', `${fact.path} ${operator} needs a value`);
  switch (operator) {
    case 'in':
    case 'not_in':
      if (literal.datatype !== 'list[int]' && literal.datatype !== 'list[string]') break;
      return membershipCheck(operator === 'not_in', literal.value, fact.datatype === 'int' ? isSafeInteger : isString);
    case 'contains':
    case 'not_contains':
      if (literal.datatype !== 'int' && literal.datatype !== 'string') break;
      return containmentCheck(operator === 'not_contains', literal.value, fact.datatype === 'list[int]' ? isSafeInteger : isString);
    default: {
      const outcomes = SIGN_OUTCOMES[operator];
      if (!outcomes) break;
      switch (literal.datatype) {
        case 'bool':
        case 'string':
          return scalarEqualityCheck(literal.value, outcomes);
        case 'int':
          return intCheck(literal.value, outcomes);
        case 'decimal':
          return decimalCheck(literal.value.decimal, literal.value.fast, outcomes);
        case 'money':
          return moneyCheck(literal.value, outcomes);
        case 'datetime':
          return datetimeCheck(literal.value, outcomes, clock);
        case 'list[int]':
          return listEqualityCheck(literal.value, isSafeInteger, outcomes);
        case 'list[string]':
          return listEqualityCheck(literal.value, isString, outcomes);
      }
    }
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

/** The traces of conditions, in order (a plain loop: explanations are built per evaluation). */
export function traceAll(conditions: readonly CompiledCondition[], facts: FactSet, at: number, atText: string): ConditionTrace[] {
  const traces = new Array<ConditionTrace>(conditions.length);
  for (let i = 0; i < conditions.length; i++) traces[i] = (conditions[i] as CompiledCondition).trace(facts, at, atText);
  return traces;
}

/** The AND of conditions already traced (explanations evaluate every condition). */
export function andOfTraces(traces: readonly ConditionTrace[]): number {
  let result = MATCHED;
  for (let i = 0; i < traces.length; i++) {
    const outcome = (traces[i] as ConditionTrace).outcome;
    if (outcome === 'not_matched') return NOT_MATCHED;
    if (outcome !== 'matched') result = UNKNOWN;
  }
  return result;
}

export function groupOutcome(outcome: number): GroupOutcome {
  return outcome === MATCHED ? 'matched' : outcome === NOT_MATCHED ? 'not_matched' : 'unknown';
}

// ---------------------------------------------------------------------------------------------
// Conditions of a program.

interface CompiledPredicate {
  readonly test: Test;
  /** For a one-branch predicate, the flattened conjuncts of its branch. */
  readonly branchConjuncts: readonly Test[] | undefined;
  readonly trace: (facts: FactSet, at: number, atText: string) => { branches: BranchTrace[]; matchedBranch: number | null; outcome: number };
  readonly factPaths: readonly string[];
}

/** The paths of several conditions, each once, in first-read order. */
export const factPathsOf = (conditions: readonly { readonly factPaths: readonly string[] }[]): string[] => [...new Set(conditions.flatMap((c) => c.factPaths))];

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
    const test = compileTest(fact, check);
    const term = condition.term;
    const subject = fact.path;
    // One object literal per shape (no spreads): explanations are built per evaluation.
    const kind = 'comparison';
    const traceOf: (outcome: ConditionOutcome, actual: unknown) => ComparisonTrace =
      expected === undefined
        ? (outcome, actual) => ({ kind, path, outcome, subject, operator, actual })
        : term === undefined
          ? (outcome, actual) => ({ kind, path, outcome, subject, operator, expected, actual })
          : (outcome, actual) => ({ kind, path, outcome, subject, operator, expected, term, actual });
    return {
      test,
      conjuncts: [test],
      factPaths: fact.clock ? [] : [fact.path],
      trace: (facts, at, atText) => {
        const raw = read(facts, at);
        return traceOf(CONDITION_OUTCOMES[check(raw)] ?? 'unknown', fact.clock ? atText : actualValue(raw, fact));
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
      conjuncts: negate || predicate.branchConjuncts === undefined ? [test] : predicate.branchConjuncts,
      factPaths: predicate.factPaths,
      trace: (facts, at, atText) => {
        const { branches, matchedBranch, outcome } = predicate.trace(facts, at, atText);
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
    const conjunctions = branches.map((branch) => branch.flatMap((condition) => condition.conjuncts));
    const test = anyOf(conjunctions.map(conjoin));
    const compiled: CompiledPredicate = {
      test,
      branchConjuncts: conjunctions.length === 1 ? conjunctions[0] : undefined,
      factPaths: factPathsOf(branches.flat()),
      trace: (facts, at, atText) => {
        let matchedBranch: number | null = null;
        let outcome = NOT_MATCHED;
        const traces = new Array<BranchTrace>(branches.length);
        for (let index = 0; index < branches.length; index++) {
          const conditions = traceAll(branches[index] as CompiledCondition[], facts, at, atText);
          const branchOutcome = andOfTraces(conditions);
          if (branchOutcome === MATCHED && matchedBranch === null) matchedBranch = index;
          if (branchOutcome === MATCHED) outcome = MATCHED;
          else if (branchOutcome !== NOT_MATCHED && outcome !== MATCHED) outcome = UNKNOWN;
          traces[index] = { index, outcome: groupOutcome(branchOutcome), conditions };
        }
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
