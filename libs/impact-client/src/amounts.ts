/**
 * Money and credit amounts. Locally every amount is an integer in minor units (cents); Impact
 * wants decimal strings (Performance `ItemSubTotal1`) or decimal numbers (Advocate credit). The
 * conversions go through integer string arithmetic, so no binary floating point ever decides a
 * digit.
 */

function toBigInt(minor: number | bigint): bigint {
  if (typeof minor === 'bigint') return minor;
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be a safe integer of minor units (got ${minor})`);
  return BigInt(minor);
}

/** `1999, 2` → `"19.99"`; `-5, 2` → `"-0.05"`; `7, 0` → `"7"`. */
export function formatMinorUnits(minor: number | bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0) throw new RangeError('decimals must be a non-negative integer');
  const value = toBigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${whole}` : whole;
}

/** A local minor-unit amount as the decimal number Advocate expects for a unit with `decimals` places. */
export function minorToUnitAmount(minor: number | bigint, decimals: number): number {
  return Number(formatMinorUnits(minor, decimals));
}

/**
 * A decimal amount read from Impact, as integer minor units. `toFixed` does the decimal rounding
 * (0.1 + 0.2 arrives as 0.30000000000000004 and counts as 30 cents at 2 places).
 */
export function unitAmountToMinor(amount: number, decimals: number): number {
  if (!Number.isFinite(amount)) return Number.NaN;
  return Number(amount.toFixed(decimals).replace('.', ''));
}
