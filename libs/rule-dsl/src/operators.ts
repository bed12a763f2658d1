import { type Datatype, elementOf, isListDatatype, listOf } from './datatypes';

/** Every operator of the language. */
export const OPERATORS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'not_in',
  'contains',
  'not_contains',
  'is_set',
  'is_not_set',
  'is_true',
  'is_false',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators that take no value: they test the subject alone. */
export const UNARY_OPERATORS: readonly Operator[] = ['is_set', 'is_not_set', 'is_true', 'is_false'];

const ORDERING: readonly Operator[] = ['lt', 'lte', 'gt', 'gte'];
const EQUALITY: readonly Operator[] = ['eq', 'neq'];
const MEMBERSHIP: readonly Operator[] = ['in', 'not_in'];
const CONTAINMENT: readonly Operator[] = ['contains', 'not_contains'];
const PRESENCE: readonly Operator[] = ['is_set', 'is_not_set'];

/**
 * The operator table: which operators each datatype accepts. Ordering for numbers, money and
 * instants; membership of a scalar in a list for the scalars that have a list type; containment on
 * lists; equality everywhere; truth tests on bools. `is_set`/`is_not_set` apply to any datatype but
 * only to optional facts (a required fact is always set; testing it hides a host bug).
 */
export const OPERATORS_BY_DATATYPE: Readonly<Record<Datatype, readonly Operator[]>> = {
  bool: [...EQUALITY, 'is_true', 'is_false', ...PRESENCE],
  int: [...EQUALITY, ...ORDERING, ...MEMBERSHIP, ...PRESENCE],
  decimal: [...EQUALITY, ...ORDERING, ...PRESENCE],
  money: [...EQUALITY, ...ORDERING, ...PRESENCE],
  string: [...EQUALITY, ...MEMBERSHIP, ...PRESENCE],
  datetime: [...EQUALITY, ...ORDERING, ...PRESENCE],
  'list[int]': [...EQUALITY, ...CONTAINMENT, ...PRESENCE],
  'list[string]': [...EQUALITY, ...CONTAINMENT, ...PRESENCE],
};

export function isOperator(value: unknown): value is Operator {
  return typeof value === 'string' && (OPERATORS as readonly string[]).includes(value);
}

export function isUnary(operator: Operator): boolean {
  return UNARY_OPERATORS.includes(operator);
}

export function isPresenceOperator(operator: Operator): operator is 'is_set' | 'is_not_set' {
  return operator === 'is_set' || operator === 'is_not_set';
}

export function operatorAccepts(operator: Operator, datatype: Datatype): boolean {
  return OPERATORS_BY_DATATYPE[datatype].includes(operator);
}

/**
 * The datatype the value of `subject operator value` must have: the subject's own for equality and
 * ordering, the list of it for `in`, the element for `contains`; undefined for unary operators or
 * combinations the table rejects.
 */
export function valueDatatypeFor(operator: Operator, subject: Datatype): Datatype | undefined {
  if (!operatorAccepts(operator, subject) || isUnary(operator)) return undefined;
  if (MEMBERSHIP.includes(operator)) return listOf(subject);
  if (CONTAINMENT.includes(operator)) return isListDatatype(subject) ? elementOf(subject) : undefined;
  return subject;
}
