/**
 * Exact decimals. A program's `decimal` literals, percent rates and decimal facts are compared and
 * multiplied exactly: a value is an unscaled integer and a power-of-ten scale, never a binary float,
 * so `0.1 + 0.2`-style drift can never decide a reward.
 */

/** value = units / 10^scale, normalized so that `units` has no trailing zero digit (or is 0n with scale 0). */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

// Plain decimal notation with an optional exponent (numbers stringify as `1e-7`). No leading `+`,
// no bare `.5`, no trailing `5.`: a literal that looks odd to a person is rejected, not guessed.
const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

// Bounds keep a hostile literal from turning into a huge BigInt power.
const MAX_DIGITS = 60;
const MAX_EXPONENT = 60;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 4 * MAX_DIGITS; i++, p *= 10n) POW10.push(p);

/** 10^n as a bigint (n within the bounds decimals can reach). */
export function pow10(n: number): bigint {
  const cached = POW10[n];
  return cached ?? 10n ** BigInt(n);
}

function normalize(units: bigint, scale: number): Decimal {
  if (units === 0n) return { units: 0n, scale: 0 };
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  while (scale < 0) {
    units *= 10n;
    scale += 1;
  }
  return { units, scale };
}

/** Parses `"12.50"`, `"-3"`, `"1e-7"`; undefined when the text is not a decimal number. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponentText] = match;
  if (whole.length + fraction.length > MAX_DIGITS) return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  const digits = BigInt(whole + fraction);
  return normalize(sign === '-' ? -digits : digits, fraction.length - exponent);
}

/**
 * The exact decimal a JS number stands for: the shortest decimal that round-trips to it (what
 * `String(n)` prints), which is what a person meant by writing `45.3`.
 */
export function decimalFromNumber(value: number): Decimal | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (Number.isSafeInteger(value)) return { units: BigInt(value), scale: 0 };
  return parseDecimal(String(value));
}

/** 10^0 .. 10^15, all exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The JS number whose shortest form is exactly this decimal text, when the text is a plain decimal
 * (`-?digits(.digits)?`) of at most 15 digits (`"45.30"` -> 45.3): every such decimal survives
 * decimal -> double -> shortest decimal unchanged (doubles carry 15 decimal digits), so its double
 * stands for it exactly and decimal strings can take the float fast paths without BigInt.
 * Undefined otherwise (longer or exponent forms go through `parseDecimal`). A character loop, not a
 * regular expression: this runs per evaluation.
 */
export function exactNumberFromText(text: string): number | undefined {
  const length = text.length;
  const negative = text.charCodeAt(0) === 45; /* - */
  let digits = 0;
  let dot = -1;
  let units = 0;
  for (let i = negative ? 1 : 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      digits += 1;
      units = units * 10 + (code - 48);
    } else if (code === 46 /* . */ && dot < 0 && digits > 0) dot = i;
    else return undefined;
  }
  if (digits === 0 || digits > 15 || dot === length - 1) return undefined;
  // units < 10^15 and 10^scale (scale <= 15) are exact doubles, and IEEE division rounds their exact
  // quotient correctly: the same double as Number(text), without parsing the text a second time.
  const value = dot < 0 ? units : units / (POWERS_OF_TEN[length - 1 - dot] as number);
  return negative ? -value : value;
}

/** A decimal from a document literal or a fact: a decimal string or a finite number. */
export function toDecimal(value: unknown): Decimal | undefined {
  if (typeof value === 'string') return parseDecimal(value);
  if (typeof value === 'number') return decimalFromNumber(value);
  return undefined;
}

/** -1, 0 or 1. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  let left = a.units;
  let right = b.units;
  if (a.scale < b.scale) left *= pow10(b.scale - a.scale);
  else if (b.scale < a.scale) right *= pow10(a.scale - b.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Canonical text: `12.5`, `-3`, `0.0001`. */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString();
  if (value.scale === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(value.scale + 1, '0');
  const text = `${padded.slice(0, padded.length - value.scale)}.${padded.slice(padded.length - value.scale)}`;
  return negative ? `-${text}` : text;
}

/**
 * The JS number equal to this decimal, when one is exactly this decimal's shortest form. Lets a
 * comparison against a number fact stay in float arithmetic without losing exactness: shortest
 * round-trip forms order exactly like the doubles they name.
 */
export function exactNumberOf(value: Decimal): number | undefined {
  const asNumber = Number(formatDecimal(value));
  const back = decimalFromNumber(asNumber);
  return back && back.units === value.units && back.scale === value.scale ? asNumber : undefined;
}

/**
 * Integer division rounded half away from zero (the "half-up" of money: 0.5 cent -> 1 cent,
 * -0.5 cent -> -1 cent). `denominator` must be positive.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice < denominator) return quotient;
  return numerator < 0n ? quotient - 1n : quotient + 1n;
}
