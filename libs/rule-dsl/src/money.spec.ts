import { decimalFromNumber, divideRoundHalfUp, parseDecimal, pow10 } from './decimal';
import { formatMoney, isMoney, minorUnitDigits, percentOfMajor, percentOfMajorNumber, percentOfMinor, percentRate } from './money';

const dec = (text: string) => parseDecimal(text) ?? { units: 0n, scale: 0 };

/** Deterministic pseudo-random integers for property checks. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
}

describe('minorUnitDigits', () => {
  it('knows currencies without cents and with three decimals', () => {
    expect(minorUnitDigits('USD')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(minorUnitDigits('XYZ')).toBe(2);
  });
});

describe('formatMoney', () => {
  it('prints major units with the currency', () => {
    expect(formatMoney({ amountMinor: 2450, currency: 'USD' })).toBe('24.50 USD');
    expect(formatMoney({ amountMinor: 5, currency: 'USD' })).toBe('0.05 USD');
    expect(formatMoney({ amountMinor: -1200, currency: 'JPY' })).toBe('-1200 JPY');
    expect(formatMoney({ amountMinor: 1, currency: 'KWD' })).toBe('0.001 KWD');
  });
});

describe('isMoney', () => {
  it('accepts integer minor units and an ISO currency code only', () => {
    expect(isMoney({ amountMinor: 1, currency: 'USD' })).toBe(true);
    expect(isMoney({ amountMinor: 1.5, currency: 'USD' })).toBe(false);
    expect(isMoney({ amountMinor: 1, currency: 'usd' })).toBe(false);
    expect(isMoney(100)).toBe(false);
  });
});

describe('percentOfMinor', () => {
  it('takes a percent of minor units, rounding half up', () => {
    expect(percentOfMinor(4900, dec('50'))).toBe(2450);
    expect(percentOfMinor(4901, dec('50'))).toBe(2451);
    expect(percentOfMinor(4899, dec('50'))).toBe(2450);
    expect(percentOfMinor(1000, dec('33.333'))).toBe(333);
    expect(percentOfMinor(-4901, dec('50'))).toBe(-2451);
  });

  it('falls back to BigInt beyond safe integers and reports unsafe results', () => {
    expect(percentOfMinor(Number.MAX_SAFE_INTEGER, dec('50'))).toBe(4503599627370496);
    expect(percentOfMinor(Number.MAX_SAFE_INTEGER, dec('200'))).toBeUndefined();
  });

  it('matches exact BigInt arithmetic on sampled amounts and rates', () => {
    const next = sequence(42);
    for (let i = 0; i < 5000; i++) {
      const amount = next() % 10_000_000;
      const percent = dec(`${next() % 200}.${next() % 1000}`);
      const exact = divideRoundHalfUp(BigInt(amount) * percent.units, 100n * pow10(percent.scale));
      expect(percentOfMinor(amount, percent)).toBe(Number(exact));
    }
  });
});

describe('percentOfMajor', () => {
  it('converts major units to the currency minor unit', () => {
    expect(percentOfMajor(dec('45.30'), dec('12.5'), 'USD')).toBe(566);
    expect(percentOfMajor(dec('3'), dec('12.5'), 'KWD')).toBe(375);
    expect(percentOfMajor(dec('1005'), dec('10'), 'JPY')).toBe(101);
  });
});

describe('percentOfMajorNumber', () => {
  it('reads a number amount as its decimal form, not its binary approximation', () => {
    expect(percentOfMajorNumber(8.04, dec('12.5'), 'USD')).toBe(101);
    expect(percentOfMajorNumber(1.15, dec('50'), 'USD')).toBe(58);
  });

  it('agrees with the exact decimal path on sampled numbers', () => {
    const next = sequence(9);
    const rate = percentRate(dec('12.5'));
    for (let i = 0; i < 5000; i++) {
      const amount = (next() % 1_000_000) / 10 ** (next() % 6);
      const exact = decimalFromNumber(amount);
      expect(exact).toBeDefined();
      expect(rate.ofMajorNumber(amount, 2)).toBe(rate.ofMajor(exact ?? dec('0'), 2));
    }
  });
});
