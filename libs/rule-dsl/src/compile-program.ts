import { type CompiledCondition, type ConditionCompiler, type Reader, type Test } from './compile-condition';
import * as conditionModule from './compile-condition';
import * as datatypesModule from './datatypes';
import { type Decimal } from './decimal';
import * as decimalModule from './decimal';
import { RuleDslError } from './errors';
import * as instantsModule from './instants';
import {
  type EligibilityCode,
  type EligibilityEvaluation,
  type EvaluationOptions,
  type GrantedReward,
  type RewardCode,
  type RewardEvaluation,
  type RewardGrant,
} from './evaluation';
import { type EligibilityExplanation, type RewardComputationTrace, type RewardExplanation, type RuleTrace, type WindowTrace } from './explain';
import { type FactCatalog, type FactDeclarations, type FactDefinition, type FactSet, type FactSetFor, lookupFact } from './fact-catalog';
import * as moneyModule from './money';
import { type Problem } from './problems';
import { type ProgramDocument, type RewardRule } from './program.schema';
import { validateProgram } from './validate-program';

/*
 * Under tsx and Jest (CommonJS made from these modules), every read of an imported binding calls a
 * getter; on the per-evaluation paths that was a tenth of an explained evaluation. The bindings are
 * read once, here.
 */
const { actualValue, andOfTraces, compileReader, ConditionCompiler: Compiler, conjoin, factPathsOf, groupOutcome, MATCHED, NOT_MATCHED, traceAll } = conditionModule;
const { parseInstant } = datatypesModule;
const { exactNumberFromText, formatDecimal, parseDecimal, toDecimal } = decimalModule;
const { instantText } = instantsModule;
const { CURRENCY_PATTERN, minorUnitDigits, percentRate } = moneyModule;

/** A program turned into functions, ready to evaluate fact sets. */
export interface CompiledProgram<F extends FactDeclarations = FactDeclarations> {
  /** The validated document it was compiled from (limits, fulfilment, identity). */
  readonly document: ProgramDocument;
  readonly catalog: FactCatalog<F>;
  readonly key: string;
  readonly trigger: string;
  /** The schedule in epoch milliseconds: inviting in [startAtMs, frozenAtMs), rewards in [startAtMs, endAtMs). */
  readonly window: { readonly startAtMs: number; readonly frozenAtMs: number; readonly endAtMs: number };
  /** At referral creation: is the inviting window open at `at`, and do ALL eligibility conditions match? */
  evaluateEligibility(facts: FactSetFor<F, 'eligibility'>, options: EvaluationOptions): EligibilityEvaluation;
  /** At a trigger event: which reward, if any; the first rule whose conditions ALL match wins. */
  evaluateReward(eventType: string, facts: FactSetFor<F, 'reward'>, options: EvaluationOptions): RewardEvaluation;
  /**
   * Paths of every fact evaluateReward can read (conditions, predicates, percent bases; not the
   * clock): a fact set holding only these decides and explains exactly as the whole one does.
   */
  readonly rewardFactPaths: readonly string[];
}

export type CompileResult<F extends FactDeclarations = FactDeclarations> =
  | { readonly ok: true; readonly program: CompiledProgram<F> }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Validates a document against the catalog and, when valid, compiles it into composed closures.
 * (A second evaluator generating code with `new Function` was removed in issue 18: `npm run
 * bench:preview` showed evaluation is a few percent of a decision read from PostgreSQL, so its
 * speed-up did not pay for a second code path.)
 */
export function compileProgram<F extends FactDeclarations>(
  document: unknown,
  catalog: FactCatalog<F>,
): CompileResult<F> {
  const validation = validateProgram(document, catalog);
  if (!validation.ok) return { ok: false, problems: validation.problems };
  return { ok: true, program: compileValidated(validation.program, catalog) };
}

/**
 * For documents that were validated when they were saved (stored program versions, fixtures): a
 * problem now means corrupted storage or a catalog that changed under a stored program, so it
 * throws `RuleDslError('program_invalid')` carrying the problems.
 */
export function compileProgramOrThrow<F extends FactDeclarations>(
  document: unknown,
  catalog: FactCatalog<F>,
): CompiledProgram<F> {
  const result = compileProgram(document, catalog);
  if (result.ok) return result.program;
  const summary = result.problems.map((p) => `${p.code} at ${p.path || '(document)'}`).join('; ');
  throw new RuleDslError('program_invalid', `program is invalid: ${summary}`, result.problems);
}

// ---------------------------------------------------------------------------------------------

/** The outcome of computing a matched rule's reward: grants, or why there are none. */
type RewardOutcome =
  | { readonly kind: 'granted'; readonly grants: readonly RewardGrant[]; readonly trace: RewardComputationTrace }
  | { readonly kind: 'zero' | 'invalid'; readonly trace: RewardComputationTrace };

interface CompiledRule {
  readonly index: number;
  readonly description: string;
  /** `{ index, description }`, frozen: shared by every evaluation this rule decides. */
  readonly ref: { readonly index: number; readonly description: string };
  readonly conditions: readonly CompiledCondition[];
  /** The rule's conditions as one flat AND. */
  readonly conjuncts: readonly Test[];
  readonly test: Test;
  /** Fast path: the finished evaluation (shared frozen object when the reward is a constant). */
  readonly decide: (facts: FactSet, at: number) => RewardEvaluation;
  /** The evaluation when the reward does not depend on facts (fixed, free period, credits). */
  readonly constant?: RewardEvaluation;
  /** Explaining path: the reward computation with its trace. */
  readonly computeTraced: (facts: FactSet, at: number) => RewardOutcome;
  readonly factsInvalid: RewardEvaluation;
  /** Paths of the facts its conditions and its reward read. */
  readonly factPaths: readonly string[];
}

/** A decision with its explanation (explicit fields: spreading the frozen decision is slow). */
function explainedEligibility(decision: EligibilityEvaluation, explanation: EligibilityExplanation): EligibilityEvaluation {
  return { code: decision.code, eligible: decision.eligible, programKey: decision.programKey, explanation };
}

function explainedReward(decision: RewardEvaluation, explanation: RewardExplanation): RewardEvaluation {
  const { code, rewarded, programKey, rule, grants } = decision;
  return { code, rewarded, programKey, rule, grants, explanation };
}

function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}

/** A fact set that is not an object (a JS caller's null) reads as one where every fact is missing. */
const NO_FACTS: FactSet = Object.freeze({});

function factsOf(factSet: unknown): FactSet {
  return typeof factSet === 'object' && factSet !== null ? (factSet as FactSet) : NO_FACTS;
}

function atMsOf(at: Date | string | undefined): number {
  if (at instanceof Date) return at.getTime();
  return typeof at === 'string' ? (parseInstant(at) ?? Number.NaN) : Number.NaN;
}

function compileValidated<F extends FactDeclarations>(document: ProgramDocument, catalog: FactCatalog<F>): CompiledProgram<F> {
  const compiler = new Compiler(document, catalog);
  const { key: programKey, trigger, schedule } = document;
  const startAtMs = parseInstant(schedule.startAt) ?? Number.NaN;
  const frozenAtMs = parseInstant(schedule.frozenAt) ?? Number.NaN;
  const endAtMs = parseInstant(schedule.endAt) ?? Number.NaN;

  // Eligibility.
  const eligibility = compiler.compileAll(document.eligibility, 'eligibility');
  const eligibilityTest = conjoin(eligibility.flatMap((c) => c.conjuncts));
  const eligibilityResult = (code: EligibilityCode): EligibilityEvaluation => freeze({ code, eligible: code === 'eligible', programKey });
  const ELIGIBLE = eligibilityResult('eligible');
  const NOT_MET = eligibilityResult('conditions_not_met');
  const ELIGIBILITY_FACTS_INVALID = eligibilityResult('facts_invalid');
  const OUTSIDE_INVITING = eligibilityResult('outside_inviting_window');
  const ELIGIBILITY_TIME_INVALID = eligibilityResult('evaluation_time_invalid');
  const byOutcome = (outcome: number): EligibilityEvaluation =>
    outcome === MATCHED ? ELIGIBLE : outcome === NOT_MATCHED ? NOT_MET : ELIGIBILITY_FACTS_INVALID;

  // Rewards.
  const rewardResult = (code: RewardCode, rule: { index: number; description: string } | null = null): RewardEvaluation =>
    freeze({ code, rewarded: false, programKey, rule, grants: freeze([]) });
  const rules = document.rewardRules.map((rule, index) => compileRule(rule, index, compiler, catalog, compileReader, programKey, rewardResult));
  const ruleTests = rules.map((rule) => rule.test);
  const ruleCount = rules.length;
  const TRIGGER_MISMATCH = rewardResult('trigger_mismatch');
  const OUTSIDE_REWARDS = rewardResult('outside_reward_window');
  const NO_RULE_MATCHED = rewardResult('no_rule_matched');
  const REWARD_TIME_INVALID = rewardResult('evaluation_time_invalid');
  /** The explanation's event part when the trigger matched (frozen, shared: explanations are built per evaluation). */
  const TRIGGERED = freeze({ expected: trigger, actual: trigger, matched: true });

  // The decision-only paths: a loop over the rules' closures.
  const decideEligibility = (facts: FactSet, atMs: number): EligibilityEvaluation =>
    atMs >= startAtMs && atMs < frozenAtMs ? byOutcome(eligibilityTest(facts, atMs)) : OUTSIDE_INVITING;
  const decideReward = (eventType: string, facts: FactSet, atMs: number): RewardEvaluation => {
    if (eventType !== trigger) return TRIGGER_MISMATCH;
    if (!(atMs >= startAtMs && atMs < endAtMs)) return OUTSIDE_REWARDS;
    for (let i = 0; i < ruleCount; i++) {
      const outcome = (ruleTests[i] as Test)(facts, atMs);
      if (outcome === NOT_MATCHED) continue;
      const rule = rules[i] as CompiledRule;
      return outcome === MATCHED ? rule.decide(facts, atMs) : rule.factsInvalid;
    }
    return NO_RULE_MATCHED;
  };
  const windowTrace = (name: 'inviting' | 'rewards', at: string, open: boolean): WindowTrace => ({
    name,
    from: schedule.startAt,
    until: name === 'inviting' ? schedule.frozenAt : schedule.endAt,
    at,
    open,
  });

  return freeze({
    document,
    catalog,
    key: programKey,
    trigger,
    window: freeze({ startAtMs, frozenAtMs, endAtMs }),
    rewardFactPaths: freeze([...new Set(rules.flatMap((rule) => rule.factPaths))]),

    evaluateEligibility(factSet: FactSetFor<F, 'eligibility'>, options: EvaluationOptions): EligibilityEvaluation {
      const facts = factsOf(factSet);
      const atMs = atMsOf(options?.at);
      if (atMs !== atMs) return ELIGIBILITY_TIME_INVALID;
      if (options.explain === false) return decideEligibility(facts, atMs);
      const open = atMs >= startAtMs && atMs < frozenAtMs;
      const at = instantText(atMs);
      const window = windowTrace('inviting', at, open);
      if (!open) return explainedEligibility(OUTSIDE_INVITING, { at, window, conditions: [] });
      const conditions = traceAll(eligibility, facts, atMs, at);
      return explainedEligibility(byOutcome(andOfTraces(conditions)), { at, window, conditions });
    },

    evaluateReward(eventType: string, factSet: FactSetFor<F, 'reward'>, options: EvaluationOptions): RewardEvaluation {
      const facts = factsOf(factSet);
      const atMs = atMsOf(options?.at);
      if (atMs !== atMs) return REWARD_TIME_INVALID;
      if (options.explain === false) return decideReward(eventType, facts, atMs);
      const triggered = eventType === trigger;
      const open = atMs >= startAtMs && atMs < endAtMs;

      const at = instantText(atMs);
      const event = triggered ? TRIGGERED : { expected: trigger, actual: eventType, matched: false };
      if (!triggered) return explainedReward(TRIGGER_MISMATCH, { at, event, rules: [] });
      const window = windowTrace('rewards', at, open);
      if (!open) return explainedReward(OUTSIDE_REWARDS, { at, event, window, rules: [] });
      const traces: RuleTrace[] = [];
      for (const rule of rules) {
        const conditions = traceAll(rule.conditions, facts, atMs, at);
        const outcome = andOfTraces(conditions);
        traces.push({ index: rule.index, description: rule.description, outcome: groupOutcome(outcome), conditions });
        if (outcome === NOT_MATCHED) continue;
        if (outcome !== MATCHED) return explainedReward(rule.factsInvalid, { at, event, window, rules: traces });
        const computed = rule.computeTraced(facts, atMs);
        const explanation = { at, event, window, rules: traces, reward: computed.trace };
        const ruleRef = rule.ref;
        if (computed.kind === 'granted') {
          return { code: 'rewarded', rewarded: true, programKey, rule: ruleRef, grants: computed.grants, explanation };
        }
        const code: RewardCode = computed.kind === 'zero' ? 'reward_amount_zero' : 'facts_invalid';
        return { code, rewarded: false, programKey, rule: ruleRef, grants: [], explanation };
      }
      return explainedReward(NO_RULE_MATCHED, { at, event, window, rules: traces });
    },
  });
}

function beneficiariesOf(rule: RewardRule): readonly ('referrer' | 'referee')[] {
  return rule.beneficiary === 'both' ? ['referrer', 'referee'] : [rule.beneficiary];
}

function grantsOf(rule: RewardRule, reward: GrantedReward): readonly RewardGrant[] {
  return freeze(beneficiariesOf(rule).map((beneficiary) => freeze({ beneficiary, initialStatus: rule.initialStatus, reward })));
}

function compileRule(
  rule: RewardRule,
  index: number,
  compiler: ConditionCompiler,
  catalog: FactCatalog,
  reader: (fact: FactDefinition) => Reader,
  programKey: string,
  rewardResult: (code: RewardCode, rule: { index: number; description: string }) => RewardEvaluation,
): CompiledRule {
  const conditions = compiler.compileAll(rule.conditions, `rewardRules[${index}].conditions`);
  const ruleRef = freeze({ index, description: rule.description });
  const factsInvalid = rewardResult('facts_invalid', ruleRef);
  const conjuncts = conditions.flatMap((c) => c.conjuncts);
  const base = { index, description: rule.description, ref: ruleRef, factPaths: factPathsOf(conditions), conditions, conjuncts, test: conjoin(conjuncts), factsInvalid };
  const spec = rule.reward;

  if (spec.type !== 'percent') {
    // A constant reward: the whole evaluation result is built once and shared (frozen).
    const reward: GrantedReward =
      spec.type === 'fixed'
        ? freeze({ type: 'money', amount: freeze({ ...spec.amount }) })
        : spec.type === 'free_period'
          ? freeze({ type: 'free_period', count: spec.count, unit: spec.unit })
          : freeze({ type: 'credits', credits: spec.credits });
    const grants = grantsOf(rule, reward);
    const rewarded: RewardEvaluation = freeze({ code: 'rewarded', rewarded: true, programKey, rule: ruleRef, grants });
    const trace: RewardComputationTrace = freeze({
      ruleIndex: index,
      type: spec.type,
      outcome: 'computed',
      ...(reward.type === 'money' ? { amount: reward.amount } : {}),
    });
    return { ...base, constant: rewarded, decide: () => rewarded, computeTraced: () => ({ kind: 'granted', grants, trace }) };
  }

  const baseFact = lookupFact(catalog, spec.of);
  const percent = toDecimal(spec.percent);
  if (!baseFact || !percent) throw new RuleDslError('program_invalid', `cannot compile rewardRules[${index}].reward`);
  const read = reader(baseFact);
  const { amountOf, currencyOf } = percentComputation(baseFact.datatype, percent, spec.currency);
  const zero = rewardResult('reward_amount_zero', ruleRef);
  const percentText = formatDecimal(percent);

  const [first = 'referrer', second] = beneficiariesOf(rule);
  const { initialStatus } = rule;
  const moneyGrants = (amount: { amountMinor: number; currency: string }): readonly RewardGrant[] => {
    const reward: GrantedReward = { type: 'money', amount };
    return second
      ? [
          { beneficiary: first, initialStatus, reward },
          { beneficiary: second, initialStatus, reward },
        ]
      : [{ beneficiary: first, initialStatus, reward }];
  };
  const rewarded = (amountMinor: number, currency: string): RewardEvaluation => ({
    code: 'rewarded',
    rewarded: true,
    programKey,
    rule: ruleRef,
    grants: moneyGrants({ amountMinor, currency }),
  });

  return {
    ...base,
    factPaths: baseFact.clock ? base.factPaths : [...new Set([...base.factPaths, baseFact.path])],
    decide: (facts, at) => {
      const raw = read(facts, at);
      const amountMinor = amountOf(raw);
      if (typeof amountMinor === 'string') return factsInvalid;
      return amountMinor === 0 ? zero : rewarded(amountMinor, currencyOf(raw));
    },
    computeTraced: (facts, at) => {
      const raw = read(facts, at);
      const amountMinor = amountOf(raw);
      const base = actualValue(raw, baseFact);
      const of = baseFact.path;
      if (typeof amountMinor === 'string') {
        return { kind: 'invalid', trace: { ruleIndex: index, type: 'percent', of, base, percent: percentText, outcome: amountMinor } };
      }
      const amount = { amountMinor, currency: currencyOf(raw) };
      if (amountMinor === 0) return { kind: 'zero', trace: { ruleIndex: index, type: 'percent', of, base, percent: percentText, outcome: 'zero', amount } };
      const trace: RewardComputationTrace = { ruleIndex: index, type: 'percent', of, base, percent: percentText, outcome: 'computed', amount };
      return { kind: 'granted', grants: moneyGrants(amount), trace };
    },
  };
}

type PercentFailure = 'fact_missing' | 'fact_wrong_type' | 'fact_out_of_range';

/**
 * percent% of the base fact's value, in minor units, rounded half-up. Money bases keep their
 * currency; int and decimal bases are major units of the rule's currency. A negative base is out of
 * range: a reward is never negative.
 */
function percentComputation(
  datatype: string,
  percent: Decimal,
  currency: string | undefined,
): { amountOf: (value: unknown) => number | PercentFailure; currencyOf: (value: unknown) => string } {
  const rate = percentRate(percent);
  if (datatype === 'money') {
    // The last currency code that passed the pattern: the same few codes recur, the regex need not.
    let knownCurrency = '';
    return {
      amountOf: (value) => {
        if (value === undefined || value === null) return 'fact_missing';
        if (typeof value !== 'object') return 'fact_wrong_type';
        const { amountMinor, currency: baseCurrency } = value as { amountMinor?: unknown; currency?: unknown };
        if (typeof amountMinor !== 'number' || !Number.isSafeInteger(amountMinor) || typeof baseCurrency !== 'string') return 'fact_wrong_type';
        if (baseCurrency !== knownCurrency) {
          if (!CURRENCY_PATTERN.test(baseCurrency)) return 'fact_wrong_type';
          knownCurrency = baseCurrency;
        }
        if (amountMinor < 0) return 'fact_out_of_range';
        return rate.ofMinor(amountMinor) ?? 'fact_out_of_range';
      },
      // Only called after amountOf accepted the value.
      currencyOf: (value) => (value as { currency: string }).currency,
    };
  }
  const rewardCurrency = currency ?? 'USD';
  const digits = minorUnitDigits(rewardCurrency);
  return {
    amountOf: (value) => {
      if (typeof value === 'number' && (datatype === 'int' ? Number.isSafeInteger(value) : Number.isFinite(value))) {
        if (value < 0) return 'fact_out_of_range';
        return rate.ofMajorNumber(value, digits) ?? 'fact_out_of_range';
      }
      if (typeof value === 'string' && datatype === 'decimal') {
        const short = exactNumberFromText(value);
        if (short !== undefined) return short < 0 ? 'fact_out_of_range' : (rate.ofMajorNumber(short, digits) ?? 'fact_out_of_range');
        const amount = parseDecimal(value);
        if (!amount) return 'fact_wrong_type';
        if (amount.units < 0n) return 'fact_out_of_range';
        return rate.ofMajor(amount, digits) ?? 'fact_out_of_range';
      }
      return value === undefined || value === null ? 'fact_missing' : 'fact_wrong_type';
    },
    currencyOf: () => rewardCurrency,
  };
}
