import { type Decimal, exactNumberOf, toDecimal } from './decimal';
import { CURRENCY_PATTERN, isMoney, type Money } from './money';
import { canonicalInstantMs } from './instants';

/** The datatypes of facts, terms and literals. */
export const DATATYPES = ['bool', 'int', 'decimal', 'money', 'string', 'datetime', 'list[int]', 'list[string]'] as const;
export type Datatype = (typeof DATATYPES)[number];

export type ScalarDatatype = Exclude<Datatype, 'list[int]' | 'list[string]'>;
export type ListDatatype = Extract<Datatype, 'list[int]' | 'list[string]'>;

/**
 * What a host puts in a fact set for each datatype. `decimal` accepts a decimal string (exact) or a
 * number (read as its shortest decimal form, `45.3`); `datetime` accepts a `Date` or an ISO 8601
 * instant with an explicit offset (`2025-09-01T00:00:00Z`); `int` is a safe integer.
 */
export interface FactValueOf {
  bool: boolean;
  int: number;
  decimal: string | number;
  money: Money;
  string: string;
  datetime: string | Date;
  'list[int]': readonly number[];
  'list[string]': readonly string[];
}

/** How each datatype is written as a literal in a program document (plain JSON). */
export interface LiteralOf {
  bool: boolean;
  int: number;
  decimal: string | number;
  money: Money;
  string: string;
  datetime: string;
  'list[int]': readonly number[];
  'list[string]': readonly string[];
}

export type LiteralValue = LiteralOf[Datatype];

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

export function isListDatatype(datatype: Datatype): datatype is ListDatatype {
  return datatype === 'list[int]' || datatype === 'list[string]';
}

/** The element datatype of a list (`list[int]` -> `int`). */
export function elementOf(datatype: ListDatatype): 'int' | 'string' {
  return datatype === 'list[int]' ? 'int' : 'string';
}

/** The list datatype holding a scalar (`string` -> `list[string]`), when the language has one. */
export function listOf(datatype: Datatype): ListDatatype | undefined {
  return datatype === 'int' ? 'list[int]' : datatype === 'string' ? 'list[string]' : undefined;
}

export function isNumericDatatype(datatype: Datatype): datatype is 'int' | 'decimal' | 'money' {
  return datatype === 'int' || datatype === 'decimal' || datatype === 'money';
}

// An instant with an explicit UTC offset. A date alone or a local time would be read in the
// evaluating machine's zone; the language is UTC-only, so those are rejected rather than guessed.
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO 8601 instant with an offset, or undefined. */
export function parseInstant(text: string): number | undefined {
  // The canonical form (toISOString's, the usual fact) without the pattern and Date.parse.
  const canonical = canonicalInstantMs(text);
  if (canonical !== undefined) return canonical;
  if (!INSTANT_PATTERN.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch milliseconds of a `Date` or an ISO instant, or undefined. */
export function instantMs(value: unknown): number | undefined {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? undefined : ms;
  }
  return typeof value === 'string' ? parseInstant(value) : undefined;
}

/**
 * A decimal literal, parsed once at compile time. `fast` is set when a JS number is exactly this
 * decimal's shortest form, so number facts compare in float arithmetic without losing exactness.
 */
export interface DecimalLiteral {
  readonly decimal: Decimal;
  readonly fast: number | undefined;
}

/** A literal after parsing: what compiled comparisons capture. */
export type ParsedLiteral =
  | { readonly datatype: 'bool'; readonly value: boolean }
  | { readonly datatype: 'int'; readonly value: number }
  | { readonly datatype: 'decimal'; readonly value: DecimalLiteral }
  | { readonly datatype: 'money'; readonly value: Money }
  | { readonly datatype: 'string'; readonly value: string }
  | { readonly datatype: 'datetime'; readonly value: number }
  | { readonly datatype: 'list[int]'; readonly value: readonly number[] }
  | { readonly datatype: 'list[string]'; readonly value: readonly string[] };

/** Parses a document literal as `datatype`; undefined when it does not parse. */
export function parseLiteral(datatype: Datatype, value: unknown): ParsedLiteral | undefined {
  switch (datatype) {
    case 'bool':
      return typeof value === 'boolean' ? { datatype, value } : undefined;
    case 'int':
      return Number.isSafeInteger(value) ? { datatype, value: value as number } : undefined;
    case 'decimal': {
      const decimal = toDecimal(value);
      return decimal ? { datatype, value: { decimal, fast: exactNumberOf(decimal) } } : undefined;
    }
    case 'money':
      return isMoney(value) ? { datatype, value: { amountMinor: value.amountMinor, currency: value.currency } } : undefined;
    case 'string':
      return typeof value === 'string' ? { datatype, value } : undefined;
    case 'datetime': {
      const ms = typeof value === 'string' ? parseInstant(value) : undefined;
      return ms === undefined ? undefined : { datatype, value: ms };
    }
    case 'list[int]':
      return Array.isArray(value) && value.every((v) => Number.isSafeInteger(v))
        ? { datatype, value: [...(value as number[])] }
        : undefined;
    case 'list[string]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? { datatype, value: [...(value as string[])] }
        : undefined;
  }
}

/** A short description of what a literal of `datatype` looks like, for problem messages. */
export function literalShape(datatype: Datatype): string {
  switch (datatype) {
    case 'bool':
      return 'true or false';
    case 'int':
      return 'a whole number';
    case 'decimal':
      return 'a decimal number or decimal string like "12.50"';
    case 'money':
      return `{ "amountMinor": <whole number of minor units>, "currency": <ISO 4217 code matching ${CURRENCY_PATTERN.source}> }`;
    case 'string':
      return 'a string';
    case 'datetime':
      return 'an ISO 8601 instant with an offset, like "2025-09-01T00:00:00Z"';
    case 'list[int]':
      return 'an array of whole numbers';
    case 'list[string]':
      return 'an array of strings';
  }
}
