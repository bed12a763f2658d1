import { type Decimal, decimalFromNumber, divideRoundHalfUp, pow10 } from './decimal';

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
 * numerator / denominator rounded half-up (away from zero), in plain numbers; undefined unless both
 * are safe integers (then every step is exact). `denominator` must be positive.
 */
function divideRoundHalfUpSafe(numerator: number, denominator: number): number | undefined {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) return undefined;
  const remainder = numerator % denominator;
  const quotient = (numerator - remainder) / denominator;
  if (2 * Math.abs(remainder) < denominator) return quotient;
  return numerator < 0 ? quotient - 1 : quotient + 1;
}

/** A percent rate prepared once (at compile time), applied per evaluation. */
export interface PercentRate {
  /** percent% of an amount in minor units, rounded half-up to a whole minor unit. */
  ofMinor(amountMinor: number): number | undefined;
  /** percent% of an exact decimal amount in major units, as minor units with `digits` decimals. */
  ofMajor(amount: Decimal, digits: number): number | undefined;
  /** Like `ofMajor` for a JS number amount, read as its shortest decimal form. */
  ofMajorNumber(amount: number, digits: number): number | undefined;
}

/**
 * Prepares `percent`% for repeated use. Integer arithmetic throughout, rounded half-up (away from
 * zero): plain numbers while every intermediate is a safe integer (the common case: 50% of 4900
 * cents), BigInt otherwise. Results that are not safe integers are undefined.
 */
export function percentRate(percent: Decimal): PercentRate {
  const units = Number(percent.units);
  const unitsAreSafe = Number.isSafeInteger(units);
  const minorDenominator = 100 * 10 ** percent.scale;

  const ofMajor = (amount: Decimal, digits: number): number | undefined => {
    const amountUnits = Number(amount.units);
    if (unitsAreSafe && Number.isSafeInteger(amountUnits)) {
      const fast = divideRoundHalfUpSafe(amountUnits * units * 10 ** digits, minorDenominator * 10 ** amount.scale);
      if (fast !== undefined) return fast;
    }
    return toSafeNumber(divideRoundHalfUp(amount.units * percent.units * pow10(digits), 100n * pow10(amount.scale + percent.scale)));
  };

  return {
    ofMinor(amountMinor) {
      const fast = unitsAreSafe ? divideRoundHalfUpSafe(amountMinor * units, minorDenominator) : undefined;
      if (fast !== undefined) return fast;
      return toSafeNumber(divideRoundHalfUp(BigInt(amountMinor) * percent.units, 100n * pow10(percent.scale)));
    },
    ofMajor,
    ofMajorNumber(amount, digits) {
      // The number's decimal digits without string work: scale by powers of ten until the scaled
      // value is an integer that divides back to exactly the number. Below 2^51 / 10^scale two
      // decimals with that many fraction digits cannot round to the same double, so that integer
      // is the digits of the number's shortest form.
      for (let scale = 0, power = 1; scale <= 12; scale++, power *= 10) {
        const amountUnits = Math.round(amount * power);
        if (Math.abs(amountUnits) >= 2 ** 51) break;
        if (amountUnits / power !== amount) continue;
        const fast = unitsAreSafe ? divideRoundHalfUpSafe(amountUnits * units * 10 ** digits, minorDenominator * power) : undefined;
        if (fast !== undefined) return fast;
        break;
      }
      const exact = decimalFromNumber(amount);
      return exact ? ofMajor(exact, digits) : undefined;
    },
  };
}

/** `percent`% of an amount in minor units, rounded half-up (away from zero) to a whole minor unit. */
export function percentOfMinor(amountMinor: number, percent: Decimal): number | undefined {
  return percentRate(percent).ofMinor(amountMinor);
}

/** `percent`% of an exact decimal amount in major units, as minor units of `currency`, rounded half-up. */
export function percentOfMajor(amount: Decimal, percent: Decimal, currency: string): number | undefined {
  return percentRate(percent).ofMajor(amount, minorUnitDigits(currency));
}

/** `percent`% of a number amount in major units (its shortest decimal form), as minor units of `currency`. */
export function percentOfMajorNumber(amount: number, percent: Decimal, currency: string): number | undefined {
  return percentRate(percent).ofMajorNumber(amount, minorUnitDigits(currency));
}

function toSafeNumber(value: bigint): number | undefined {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : undefined;
}
