import { type Decimal, divideRoundHalfUp, pow10 } from './decimal';

/** An amount of money: integer minor units (cents) plus an ISO 4217 currency code. Never a float. */
export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

export const CURRENCY_PATTERN = /^[A-Z]{3}$/;

// ISO 4217 currencies whose minor unit is not the usual 2 digits. Everything else has cents.
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** How many decimal digits the currency's minor unit has (USD 2, JPY 0, KWD 3). */
export function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency] ?? 2;
}

/** True for `{ amountMinor: <safe integer>, currency: 'USD' }`-shaped values. */
export function isMoney(value: unknown): value is Money {
  if (typeof value !== 'object' || value === null) return false;
  const { amountMinor, currency } = value as { amountMinor?: unknown; currency?: unknown };
  return Number.isSafeInteger(amountMinor) && typeof currency === 'string' && CURRENCY_PATTERN.test(currency);
}

/** `24.50 USD`, `1200 JPY`: for explanations and messages, not for parsing. */
export function formatMoney(money: Money): string {
  const digits = minorUnitDigits(money.currency);
  const negative = money.amountMinor < 0;
  const text = Math.abs(money.amountMinor).toString().padStart(digits + 1, '0');
  const major = digits === 0 ? text : `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  return `${negative ? '-' : ''}${major} ${money.currency}`;
}

/**
 * `percent`% of an amount in minor units, rounded half-up (away from zero) to a whole minor unit.
 * Integer arithmetic throughout: plain numbers while every intermediate is a safe integer (the
 * common case: 50% of 4900 cents), BigInt otherwise. Undefined when the result is not a safe integer.
 */
export function percentOfMinor(amountMinor: number, percent: Decimal): number | undefined {
  const percentUnits = Number(percent.units);
  const denominator = 100 * 10 ** percent.scale;
  const product = amountMinor * percentUnits;
  if (Number.isSafeInteger(percentUnits) && Number.isSafeInteger(denominator) && Number.isSafeInteger(product)) {
    const remainder = product % denominator;
    const quotient = (product - remainder) / denominator;
    if (2 * Math.abs(remainder) < denominator) return quotient;
    return product < 0 ? quotient - 1 : quotient + 1;
  }
  return toSafeNumber(divideRoundHalfUp(BigInt(amountMinor) * percent.units, 100n * pow10(percent.scale)));
}

/**
 * `percent`% of an exact decimal amount in major units (`45.30` dollars), as minor units of
 * `currency`, rounded half-up (away from zero). Undefined when the result is not a safe integer.
 */
export function percentOfMajor(amount: Decimal, percent: Decimal, currency: string): number | undefined {
  const numerator = amount.units * percent.units * pow10(minorUnitDigits(currency));
  const denominator = 100n * pow10(amount.scale + percent.scale);
  return toSafeNumber(divideRoundHalfUp(numerator, denominator));
}

function toSafeNumber(value: bigint): number | undefined {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : undefined;
}
