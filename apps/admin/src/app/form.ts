import {
  type Condition,
  type Datatype,
  type FactCatalog,
  type FactDefinition,
  type Literal,
  type Operator,
  type Phase,
  type ProgramDocument,
  type RewardRule,
  type Term,
  OPERATORS_BY_DATATYPE,
  UNARY_OPERATORS,
  defineFactCatalog,
  type FactDeclarations,
  listFacts,
  lookupFact,
  minorUnitDigits,
  valueDatatypeFor,
} from '@referrals/rule-dsl';

/**
 * The editor's model of a program document: every field is what an input holds (text for numbers
 * and lists, so a half-typed value is never lost), converted to the document only on Save.
 */
export interface ConditionForm {
  kind: 'comparison' | 'predicate';
  subject: string;
  operator: string;
  value: string;
  term: string;
  predicate: string;
  negate: boolean;
}

export interface TermForm {
  name: string;
  kind: 'value' | 'predicate';
  description: string;
  datatype: Datatype;
  value: string;
  branches: ConditionForm[][];
}

export interface RuleForm {
  description: string;
  beneficiary: RewardRule['beneficiary'];
  initialStatus: RewardRule['initialStatus'];
  rewardType: RewardRule['reward']['type'];
  amount: string;
  currency: string;
  percent: string;
  of: string;
  count: string;
  unit: 'day' | 'week' | 'month';
  credits: string;
  conditions: ConditionForm[];
}

export interface ProgramForm {
  key: string;
  name: string;
  description: string;
  product: string;
  status: ProgramDocument['status'];
  priority: string;
  startAt: string;
  frozenAt: string;
  endAt: string;
  terms: TermForm[];
  eligibility: ConditionForm[];
  trigger: string;
  rewardRules: RuleForm[];
  attributionWindowDays: string;
  referrerRewardCap: string;
  pendingExpiryDays: string;
  firstQualifyingEventOnly: boolean;
  fulfilmentKind: ProgramDocument['fulfilment']['kind'];
  itemKind: string;
}

/** A product as `GET /v1/admin/products` lists it (the api's products file): the console has no list of its own. */
export interface ProductView {
  key: string;
  catalog: { kind: string; description: string; events: string[]; facts: FactDeclarations };
  currency: string;
  tiers: Record<string, number>;
}

let catalogs = new Map<string, FactCatalog>();

/** Sets the products the console offers (once, from the api, before any form is shown). */
export function setProducts(products: readonly ProductView[]): void {
  catalogs = new Map(products.map((p) => [p.key, defineFactCatalog({ product: p.key, description: p.catalog.description, events: p.catalog.events, facts: p.catalog.facts })]));
}

/** The product keys the api serves, in the order of its products file. */
export function productKeys(): string[] {
  return [...catalogs.keys()];
}

export function catalogFor(product: string): FactCatalog | undefined {
  return catalogs.get(product);
}

/** Facts a section may test: eligibility conditions see only eligibility-phase facts. */
export function factsFor(product: string, phase: Phase | 'any'): FactDefinition[] {
  const catalog = catalogFor(product);
  if (!catalog) return [];
  return listFacts(catalog).filter((f) => phase === 'any' || f.phases.includes(phase));
}

export function subjectDatatype(product: string, subject: string): Datatype | undefined {
  const catalog = catalogFor(product);
  return catalog ? lookupFact(catalog, subject)?.datatype : undefined;
}

/** Only the operators valid for the subject's datatype (presence tests only on optional facts). */
export function operatorsFor(product: string, subject: string): Operator[] {
  const catalog = catalogFor(product);
  const fact = catalog ? lookupFact(catalog, subject) : undefined;
  if (!fact) return [];
  return OPERATORS_BY_DATATYPE[fact.datatype].filter((op) => fact.optional === true || (op !== 'is_set' && op !== 'is_not_set'));
}

export const SCHEDULE_TERM_NAMES = ['start_date', 'frozen_date', 'end_date'] as const;

/** Value terms whose datatype is the one the operator expects (the schedule terms are datetimes). */
export function compatibleTerms(form: ProgramForm, subject: string, operator: string): string[] {
  const datatype = subjectDatatype(form.product, subject);
  if (!datatype) return [];
  const expected = valueDatatypeFor(operator as Operator, datatype);
  if (!expected) return [];
  const names = form.terms.filter((t) => t.kind === 'value' && t.datatype === expected).map((t) => t.name);
  return expected === 'datetime' ? [...SCHEDULE_TERM_NAMES, ...names] : names;
}

export function predicateNames(form: ProgramForm, except?: string): string[] {
  return form.terms.filter((t) => t.kind === 'predicate' && t.name !== except && t.name !== '').map((t) => t.name);
}

export const emptyCondition = (): ConditionForm => ({ kind: 'comparison', subject: '', operator: '', value: '', term: '', predicate: '', negate: false });

export const emptyTerm = (): TermForm => ({ name: '', kind: 'value', description: '', datatype: 'string', value: '', branches: [[emptyCondition()]] });

export const emptyRule = (): RuleForm => ({
  description: '',
  beneficiary: 'referrer',
  initialStatus: 'earned',
  rewardType: 'fixed',
  amount: '',
  currency: 'USD',
  percent: '',
  of: '',
  count: '',
  unit: 'month',
  credits: '',
  conditions: [],
});

export function emptyProgram(): ProgramForm {
  return {
    key: '',
    name: '',
    description: '',
    product: productKeys()[0] ?? '',
    status: 'draft',
    priority: '100',
    startAt: '',
    frozenAt: '',
    endAt: '',
    terms: [],
    eligibility: [],
    trigger: catalogFor(productKeys()[0] ?? '')?.events[0] ?? '',
    rewardRules: [],
    attributionWindowDays: '30',
    referrerRewardCap: '',
    pendingExpiryDays: '',
    firstQualifyingEventOnly: false,
    fulfilmentKind: 'ledger_credit',
    itemKind: '',
  };
}

/** `2025-09-01T00:00:00Z` -> `2025-09-01T00:00` (the datetime-local input, in UTC). */
export function isoToInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(0, 16);
}

/** `2025-09-01T00:00` (UTC) -> `2025-09-01T00:00:00Z`; empty stays empty (a required-field problem). */
export function inputToIso(value: string): string {
  // The date fields are text (one tab stop): `2025-09-01 00:00` and `2025-09-01T00:00` both read.
  const v = value.trim().replace(' ', 'T');
  if (!v) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00:00Z`;
  return v.length === 16 ? `${v}:00Z` : `${v.replace(/Z$/, '')}Z`;
}

/** Moves one item of a list (reordering rules, terms, branches, conditions). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  if (item !== undefined) next.splice(to, 0, item);
  return next;
}

function literalToText(value: Literal, datatype: Datatype | undefined): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object') return `${(value.amountMinor / 10 ** minorUnitDigits(value.currency)).toFixed(minorUnitDigits(value.currency))} ${value.currency}`;
  if (datatype === 'datetime' && typeof value === 'string') return isoToInput(value);
  return String(value);
}

/** Parses what an input holds as a literal of the datatype; unparsable text is sent as typed (the api names the problem). */
export function textToLiteral(text: string, datatype: Datatype | undefined): Literal {
  const trimmed = text.trim();
  switch (datatype) {
    case 'int':
      return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
    case 'bool':
      return trimmed === 'true' ? true : trimmed === 'false' ? false : trimmed;
    case 'list[int]':
      return splitList(trimmed).map((s) => (Number.isFinite(Number(s)) ? Number(s) : s));
    case 'list[string]':
      return splitList(trimmed);
    case 'datetime':
      return inputToIso(trimmed);
    case 'money': {
      const match = /^(-?\d+(?:\.\d+)?)\s*([A-Z]{3})$/.exec(trimmed);
      if (!match) return trimmed;
      const currency = match[2] ?? 'USD';
      return { amountMinor: Math.round(Number(match[1]) * 10 ** minorUnitDigits(currency)), currency };
    }
    default:
      return trimmed;
  }
}

const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function conditionToForm(c: Condition, product: string): ConditionForm {
  if ('predicate' in c) return { ...emptyCondition(), kind: 'predicate', predicate: c.predicate, negate: c.negate === true };
  const datatype = subjectDatatype(product, c.subject);
  const valueType = datatype ? valueDatatypeFor(c.operator, datatype) : undefined;
  return {
    ...emptyCondition(),
    subject: c.subject,
    operator: c.operator,
    value: c.value === undefined ? '' : literalToText(c.value, valueType),
    term: c.term ?? '',
  };
}

export function conditionToDocument(c: ConditionForm, product: string): Condition {
  if (c.kind === 'predicate') return c.negate ? { predicate: c.predicate, negate: true } : { predicate: c.predicate };
  const operator = c.operator as Operator;
  const out: Condition = { subject: c.subject, operator };
  if (UNARY_OPERATORS.includes(operator)) return out;
  if (c.term !== '') return { ...out, term: c.term };
  const datatype = subjectDatatype(product, c.subject);
  const valueType = datatype ? valueDatatypeFor(operator, datatype) : undefined;
  return { ...out, value: textToLiteral(c.value, valueType) };
}

function minorToMajor(amountMinor: number, currency: string): string {
  return (amountMinor / 10 ** minorUnitDigits(currency)).toFixed(minorUnitDigits(currency));
}

export function documentToForm(doc: ProgramDocument): ProgramForm {
  const product = doc.product;
  const term = (t: Term): TermForm =>
    t.kind === 'value'
      ? { ...emptyTerm(), name: t.name, kind: 'value', description: t.description ?? '', datatype: t.datatype, value: literalToText(t.value, t.datatype) }
      : { ...emptyTerm(), name: t.name, kind: 'predicate', description: t.description ?? '', branches: t.branches.map((b) => b.map((c) => conditionToForm(c, product))) };
  const rule = (r: RewardRule): RuleForm => {
    const base: RuleForm = {
      ...emptyRule(),
      description: r.description,
      beneficiary: r.beneficiary,
      initialStatus: r.initialStatus,
      rewardType: r.reward.type,
      conditions: r.conditions.map((c) => conditionToForm(c, product)),
    };
    switch (r.reward.type) {
      case 'fixed':
        return { ...base, amount: minorToMajor(r.reward.amount.amountMinor, r.reward.amount.currency), currency: r.reward.amount.currency };
      case 'percent':
        return { ...base, percent: String(r.reward.percent), of: r.reward.of, currency: r.reward.currency ?? '' };
      case 'free_period':
        return { ...base, count: String(r.reward.count), unit: r.reward.unit };
      case 'credits':
        return { ...base, credits: String(r.reward.credits) };
    }
  };
  return {
    key: doc.key,
    name: doc.name,
    description: doc.description ?? '',
    product,
    status: doc.status,
    priority: String(doc.priority),
    startAt: isoToInput(doc.schedule.startAt),
    frozenAt: isoToInput(doc.schedule.frozenAt),
    endAt: isoToInput(doc.schedule.endAt),
    terms: doc.terms.map(term),
    eligibility: doc.eligibility.map((c) => conditionToForm(c, product)),
    trigger: doc.trigger,
    rewardRules: doc.rewardRules.map(rule),
    attributionWindowDays: String(doc.limits.attributionWindowDays),
    referrerRewardCap: doc.limits.referrerRewardCap === undefined ? '' : String(doc.limits.referrerRewardCap),
    pendingExpiryDays: doc.limits.pendingExpiryDays === undefined ? '' : String(doc.limits.pendingExpiryDays),
    firstQualifyingEventOnly: doc.limits.firstQualifyingEventOnly,
    fulfilmentKind: doc.fulfilment.kind,
    itemKind: doc.fulfilment.kind === 'issuance_bonus_item' ? doc.fulfilment.itemKind : '',
  };
}

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/** The document Save sends: the whole program. Numbers that do not parse are sent as NaN -> the api names the field. */
export function formToDocument(f: ProgramForm): ProgramDocument {
  const term = (t: TermForm): Term => {
    const described = t.description.trim() === '' ? {} : { description: t.description };
    return t.kind === 'value'
      ? { name: t.name, kind: 'value', ...described, datatype: t.datatype, value: textToLiteral(t.value, t.datatype) }
      : { name: t.name, kind: 'predicate', ...described, branches: t.branches.map((b) => b.map((c) => conditionToDocument(c, f.product))) };
  };
  const reward = (r: RuleForm): RewardRule['reward'] => {
    switch (r.rewardType) {
      case 'fixed':
        return { type: 'fixed', amount: { amountMinor: Math.round(num(r.amount) * 10 ** minorUnitDigits(r.currency || 'USD')), currency: r.currency } };
      case 'percent':
        return { type: 'percent', percent: r.percent, of: r.of, ...(r.currency ? { currency: r.currency } : {}) };
      case 'free_period':
        return { type: 'free_period', count: num(r.count), unit: r.unit };
      case 'credits':
        return { type: 'credits', credits: num(r.credits) };
    }
  };
  return {
    key: f.key,
    name: f.name,
    ...(f.description.trim() === '' ? {} : { description: f.description }),
    product: f.product,
    status: f.status,
    priority: num(f.priority),
    schedule: { startAt: inputToIso(f.startAt), frozenAt: inputToIso(f.frozenAt), endAt: inputToIso(f.endAt) },
    terms: f.terms.map(term),
    eligibility: f.eligibility.map((c) => conditionToDocument(c, f.product)),
    trigger: f.trigger,
    rewardRules: f.rewardRules.map((r) => ({
      description: r.description,
      beneficiary: r.beneficiary,
      reward: reward(r),
      initialStatus: r.initialStatus,
      conditions: r.conditions.map((c) => conditionToDocument(c, f.product)),
    })),
    limits: {
      ...(f.referrerRewardCap.trim() === '' ? {} : { referrerRewardCap: num(f.referrerRewardCap) }),
      ...(f.pendingExpiryDays.trim() === '' ? {} : { pendingExpiryDays: num(f.pendingExpiryDays) }),
      attributionWindowDays: num(f.attributionWindowDays),
      firstQualifyingEventOnly: f.firstQualifyingEventOnly,
    },
    fulfilment: f.fulfilmentKind === 'issuance_bonus_item' ? { kind: 'issuance_bonus_item', itemKind: f.itemKind } : { kind: f.fulfilmentKind },
  };
}

/** `body.document.eligibility[0].subject` -> `eligibility[0].subject` (the inputs' data-path). */
export function documentPath(apiPath: string): string {
  return apiPath.replace(/^body\.document\.?/, '');
}

/** The note when the admin's clock is off from the server's (the Date header); null within a minute. */
export function offsetNote(ms: number): string | null {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 1) return null;
  const amount = minutes >= 60 ? `${Math.round(minutes / 6) / 10} hour${minutes === 60 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return `You are ${amount} ${ms > 0 ? 'ahead of' : 'behind'} server time`;
}
