import { type z } from 'zod';
import { type Datatype, isDatatype, isNumericDatatype, literalShape, parseInstant, parseLiteral } from './datatypes';
import { toDecimal } from './decimal';
import { type FactCatalog, type FactDefinition, lookupFact, type Phase } from './fact-catalog';
import { isMoney } from './money';
import { isOperator, isPresenceOperator, isUnary, operatorAccepts, valueDatatypeFor } from './operators';
import { formatPath, type PathSegment, type Problem, ProblemList } from './problems';
import {
  programDocumentSchema,
  type ProgramDocument,
  SCHEDULE_TERMS,
  type ScheduleTermName,
  scheduleSchema,
} from './program.schema';

export type ValidationResult =
  | { readonly ok: true; readonly program: ProgramDocument; readonly problems: readonly [] }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Save-time validation: parses the document's shape and checks its meaning against the product's
 * fact catalog, reporting every problem at once, each with a stable code and the path of the field
 * at fault. Returns the parsed document when there is none, so callers never parse twice.
 */
export function validateProgram(document: unknown, catalog: FactCatalog): ValidationResult {
  const problems = new ProblemList();
  const parsed = programDocumentSchema.safeParse(document);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) addSchemaIssue(problems, issue, document, []);
  }
  // Meaning is checked on the raw input, piece by piece, so that one malformed field does not hide
  // the problems of every other field.
  new SemanticChecks(isRecord(document) ? document : {}, catalog, problems).run();
  if (problems.list.length === 0 && parsed.success) return { ok: true, program: parsed.data, problems: [] };
  return { ok: false, problems: problems.list };
}

// ---------------------------------------------------------------------------------------------
// Shape problems: zod issues mapped to stable codes.

function addSchemaIssue(problems: ProblemList, issue: z.core.$ZodIssue, root: unknown, prefix: readonly PathSegment[]): void {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const input = valueAt(root, path);
  switch (issue.code) {
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        problems.add(input === undefined ? 'field_required' : 'field_invalid', path, issue.message);
        return;
      }
      // A condition is either a comparison or a predicate reference: report the problems of the
      // form the author evidently meant, not "matches neither".
      const branch = isRecord(input) ? ('predicate' in input ? 1 : 'subject' in input || 'operator' in input ? 0 : -1) : -1;
      const chosen = issue.errors.length === 2 && branch >= 0 ? issue.errors[branch] : undefined;
      if (chosen && chosen.length > 0) {
        for (const nested of chosen) addSchemaIssue(problems, nested, root, path);
        return;
      }
      problems.add('field_invalid', path, describeUnion(path));
      return;
    }
    case 'invalid_type':
      problems.add(input === undefined ? 'field_required' : 'field_invalid', path, input === undefined ? 'is required' : issue.message);
      return;
    case 'unrecognized_keys':
      for (const key of issue.keys) problems.add('field_unknown', [...path, key], `is not a field of this object`);
      return;
    case 'invalid_value': {
      const last = path[path.length - 1];
      if (last === 'operator') problems.add('operator_unknown', path, `${JSON.stringify(input)} is not an operator; ${issue.message}`);
      else if (last === 'datatype') problems.add('datatype_unknown', path, `${JSON.stringify(input)} is not a datatype; ${issue.message}`);
      else problems.add('field_invalid', path, issue.message);
      return;
    }
    default:
      problems.add('field_invalid', path, issue.message);
  }
}

function describeUnion(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  if (typeof last === 'number') return 'must be a condition: { subject, operator, value | term } or { predicate, negate }';
  if (last === 'value') return 'must be a literal: boolean, number, string, array of numbers or strings, or money';
  return 'is invalid';
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isRecord(node) && typeof segment === 'string' && Object.prototype.hasOwnProperty.call(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Meaning.

interface DeclaredTerm {
  readonly kind: 'value' | 'predicate' | undefined;
  readonly datatype: Datatype | undefined;
  readonly index: number | undefined; // undefined for the schedule terms
}

interface FactUse {
  readonly fact: FactDefinition;
  readonly path: readonly PathSegment[];
}

interface PredicateRefUse {
  readonly name: string;
  readonly path: readonly PathSegment[];
}

/** What a list of conditions touches: facts directly, and predicates by reference. */
interface Uses {
  readonly facts: FactUse[];
  readonly predicates: PredicateRefUse[];
}

class SemanticChecks {
  private readonly terms = new Map<string, DeclaredTerm>();
  private readonly predicateUses = new Map<string, Uses>();

  constructor(
    private readonly doc: Record<string, unknown>,
    private readonly catalog: FactCatalog,
    private readonly problems: ProblemList,
  ) {}

  run(): void {
    this.checkIdentity();
    this.checkSchedule();
    this.declareTerms();
    this.checkPredicateTerms();
    this.checkPredicateCycles();
    const eligibility = this.checkConditions(this.doc['eligibility'], ['eligibility']);
    this.checkPhase(eligibility, 'eligibility', ['eligibility']);
    this.checkRewardRules();
  }

  private checkIdentity(): void {
    const { product, trigger } = this.doc;
    if (typeof product === 'string' && product !== '' && product !== this.catalog.product) {
      this.problems.add('product_mismatch', ['product'], `the program is for "${product}" but the fact catalog is for "${this.catalog.product}"`);
    }
    if (typeof trigger === 'string' && trigger !== '' && !this.catalog.events.includes(trigger)) {
      this.problems.add(
        'trigger_unknown',
        ['trigger'],
        `"${trigger}" is not an event of ${this.catalog.product}; known events: ${this.catalog.events.join(', ')}`,
      );
    }
  }

  private checkSchedule(): void {
    const schedule = scheduleSchema.safeParse(this.doc['schedule']);
    if (!schedule.success) return;
    const { startAt, frozenAt, endAt } = schedule.data;
    const start = parseInstant(startAt);
    const frozen = parseInstant(frozenAt);
    const end = parseInstant(endAt);
    for (const [field, ms] of [['startAt', start], ['frozenAt', frozen], ['endAt', end]] as const) {
      if (ms === undefined) this.problems.add('field_invalid', ['schedule', field], 'is not a valid instant');
    }
    if (start !== undefined && frozen !== undefined && !(start < frozen)) {
      this.problems.add('schedule_out_of_order', ['schedule', 'frozenAt'], `frozenAt (${frozenAt}) must be after startAt (${startAt})`);
    }
    if (frozen !== undefined && end !== undefined && !(frozen <= end)) {
      this.problems.add('schedule_out_of_order', ['schedule', 'endAt'], `endAt (${endAt}) must not be before frozenAt (${frozenAt})`);
    }
  }

  private declareTerms(): void {
    for (const name of Object.keys(SCHEDULE_TERMS)) this.terms.set(name, { kind: 'value', datatype: 'datetime', index: undefined });
    const terms = Array.isArray(this.doc['terms']) ? (this.doc['terms'] as unknown[]) : [];
    terms.forEach((term, index) => {
      if (!isRecord(term) || typeof term['name'] !== 'string') return;
      const name = term['name'];
      const kind = term['kind'] === 'value' || term['kind'] === 'predicate' ? term['kind'] : undefined;
      const datatype = kind === 'value' && isDatatype(term['datatype']) ? term['datatype'] : undefined;
      const previous = this.terms.get(name);
      if (previous && previous.index === undefined) {
        this.problems.add('term_name_reserved', ['terms', index, 'name'], `"${name}" is the schedule's ${SCHEDULE_TERMS[name as ScheduleTermName]}; choose another name`);
        return;
      }
      if (previous) {
        this.problems.add('term_name_duplicate', ['terms', index, 'name'], `"${name}" is already defined by terms[${String(previous.index)}]`);
        return;
      }
      this.terms.set(name, { kind, datatype, index });
      if (datatype && 'value' in term && parseLiteral(datatype, term['value']) === undefined) {
        this.problems.add('literal_invalid', ['terms', index, 'value'], `does not parse as ${datatype}: expected ${literalShape(datatype)}`);
      }
    });
  }

  private checkPredicateTerms(): void {
    const terms = Array.isArray(this.doc['terms']) ? (this.doc['terms'] as unknown[]) : [];
    terms.forEach((term, index) => {
      if (!isRecord(term) || term['kind'] !== 'predicate' || typeof term['name'] !== 'string') return;
      if (this.terms.get(term['name'])?.index !== index) return; // a duplicate: already reported
      const uses: Uses = { facts: [], predicates: [] };
      const branches = Array.isArray(term['branches']) ? (term['branches'] as unknown[]) : [];
      branches.forEach((branch, b) => {
        const branchUses = this.checkConditions(branch, ['terms', index, 'branches', b]);
        uses.facts.push(...branchUses.facts);
        uses.predicates.push(...branchUses.predicates);
      });
      this.predicateUses.set(term['name'], uses);
    });
  }

  /** Reports each reference that closes a cycle (`a -> b -> a`), once. */
  private checkPredicateCycles(): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, trail: string[]): void => {
      state.set(name, 'visiting');
      for (const ref of this.predicateUses.get(name)?.predicates ?? []) {
        const refState = state.get(ref.name);
        if (refState === 'visiting') {
          const cycle = [...trail.slice(trail.indexOf(ref.name)), ref.name];
          this.problems.add('predicate_cycle', ref.path, `predicate references form a cycle: ${cycle.join(' -> ')}`);
        } else if (refState === undefined && this.predicateUses.has(ref.name)) {
          visit(ref.name, [...trail, ref.name]);
        }
      }
      state.set(name, 'done');
    };
    for (const name of this.predicateUses.keys()) if (!state.has(name)) visit(name, [name]);
  }

  /** Checks a phase's conditions, following predicate references (cycles already reported). */
  private checkPhase(uses: Uses, phase: Phase, usedAt: readonly PathSegment[], seen = new Set<string>()): void {
    for (const use of uses.facts) {
      if (!use.fact.phases.includes(phase)) {
        const via = seen.size > 0 ? ` (the predicate is used in ${phase} at ${formatPath(usedAt)})` : '';
        this.problems.add(
          'fact_phase_invalid',
          [...use.path, 'subject'],
          `${use.fact.path} does not exist at ${phase} time; it exists at: ${use.fact.phases.join(', ')}${via}`,
        );
      }
    }
    for (const ref of uses.predicates) {
      if (seen.has(ref.name)) continue;
      const refUses = this.predicateUses.get(ref.name);
      if (!refUses) continue;
      this.checkPhase(refUses, phase, seen.size === 0 ? ref.path : usedAt, new Set([...seen, ref.name]));
    }
  }

  private checkRewardRules(): void {
    const rules = Array.isArray(this.doc['rewardRules']) ? (this.doc['rewardRules'] as unknown[]) : [];
    rules.forEach((rule, index) => {
      if (!isRecord(rule)) return;
      const at = ['rewardRules', index] as const;
      this.checkReward(rule['reward'], [...at, 'reward']);
      const uses = this.checkConditions(rule['conditions'], [...at, 'conditions']);
      this.checkPhase(uses, 'reward', [...at, 'conditions']);
    });
  }

  private checkReward(reward: unknown, at: readonly PathSegment[]): void {
    if (!isRecord(reward)) return;
    if (reward['type'] === 'fixed' && isMoney(reward['amount']) && reward['amount'].amountMinor <= 0) {
      this.problems.add('reward_amount_invalid', [...at, 'amount', 'amountMinor'], 'a fixed reward must be a positive amount');
    }
    if (reward['type'] !== 'percent') return;
    if ('percent' in reward) {
      const percent = toDecimal(reward['percent']);
      if (!percent || percent.units <= 0n) {
        this.problems.add('reward_amount_invalid', [...at, 'percent'], 'must be a positive decimal number, like "50" or "12.5"');
      }
    }
    if (typeof reward['of'] !== 'string' || reward['of'] === '') return;
    const base = lookupFact(this.catalog, reward['of']);
    if (!base) {
      this.problems.add('subject_unknown', [...at, 'of'], `"${reward['of']}" is not a fact of ${this.catalog.product}`);
      return;
    }
    if (!isNumericDatatype(base.datatype)) {
      this.problems.add('percent_base_not_numeric', [...at, 'of'], `${base.path} is a ${base.datatype}; a percent needs an int, decimal or money fact`);
      return;
    }
    if (!base.phases.includes('reward')) {
      this.problems.add('fact_phase_invalid', [...at, 'of'], `${base.path} does not exist at reward time`);
    }
    const hasCurrency = reward['currency'] !== undefined;
    if (base.datatype === 'money' && hasCurrency) {
      this.problems.add('reward_currency_unexpected', [...at, 'currency'], `${base.path} is money: the reward takes its currency`);
    }
    if (base.datatype !== 'money' && !hasCurrency) {
      this.problems.add('reward_currency_required', [...at, 'currency'], `${base.path} is a ${base.datatype} in major units: say which currency`);
    }
  }

  /** Checks a list of conditions; returns what they use, for phase checks. */
  private checkConditions(conditions: unknown, at: readonly PathSegment[]): Uses {
    const uses: Uses = { facts: [], predicates: [] };
    if (!Array.isArray(conditions)) return uses;
    conditions.forEach((condition, index) => {
      if (isRecord(condition)) this.checkCondition(condition, [...at, index], uses);
    });
    return uses;
  }

  private checkCondition(condition: Record<string, unknown>, at: readonly PathSegment[], uses: Uses): void {
    if ('predicate' in condition) {
      const name = condition['predicate'];
      if (typeof name !== 'string') return;
      const term = this.terms.get(name);
      if (!term) this.problems.add('term_unknown', [...at, 'predicate'], `no term named "${name}"`);
      else if (term.kind === 'value') {
        this.problems.add('term_kind_mismatch', [...at, 'predicate'], `"${name}" is a value term; a predicate reference needs a predicate term`);
      } else uses.predicates.push({ name, path: at });
      return;
    }
    const { subject, operator } = condition;
    if (typeof subject !== 'string' || subject === '') return;
    const fact = lookupFact(this.catalog, subject);
    if (!fact) {
      this.problems.add('subject_unknown', [...at, 'subject'], `"${subject}" is not a fact of ${this.catalog.product}`);
      return;
    }
    uses.facts.push({ fact, path: at });
    if (!isOperator(operator)) return;
    if (!operatorAccepts(operator, fact.datatype)) {
      this.problems.add('operator_invalid_for_datatype', [...at, 'operator'], `${operator} does not apply to ${subject}, a ${fact.datatype}`);
      return;
    }
    if (isPresenceOperator(operator) && !fact.optional) {
      this.problems.add('operator_requires_optional_fact', [...at, 'operator'], `${subject} is required, so it is always set; ${operator} applies to optional facts`);
    }
    const hasValue = condition['value'] !== undefined;
    const hasTerm = condition['term'] !== undefined;
    if (isUnary(operator)) {
      if (hasValue) this.problems.add('value_unexpected', [...at, 'value'], `${operator} takes no value`);
      if (hasTerm) this.problems.add('value_unexpected', [...at, 'term'], `${operator} takes no value`);
      return;
    }
    const expected = valueDatatypeFor(operator, fact.datatype);
    if (!expected) return;
    if (hasValue && hasTerm) {
      this.problems.add('value_and_term_both_given', at, 'give either a literal value or a term, not both');
      return;
    }
    if (!hasValue && !hasTerm) {
      this.problems.add('value_required', [...at, 'value'], `${operator} needs a value of type ${expected} (a literal or a term)`);
      return;
    }
    if (hasValue) {
      if (parseLiteral(expected, condition['value']) === undefined) {
        this.problems.add('literal_invalid', [...at, 'value'], `does not parse as ${expected}: expected ${literalShape(expected)}`);
      }
      return;
    }
    const name = condition['term'];
    if (typeof name !== 'string') return;
    const term = this.terms.get(name);
    if (!term) this.problems.add('term_unknown', [...at, 'term'], `no term named "${name}"`);
    else if (term.kind === 'predicate') {
      this.problems.add('term_kind_mismatch', [...at, 'term'], `"${name}" is a predicate term; a comparison needs a value term`);
    } else if (term.datatype !== undefined && term.datatype !== expected) {
      this.problems.add('term_type_mismatch', [...at, 'term'], `"${name}" is a ${term.datatype}; ${subject} ${operator} needs a ${expected}`);
    }
  }
}
