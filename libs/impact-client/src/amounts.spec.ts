import { formatMinorUnits, minorToUnitAmount, unitAmountToMinor } from './amounts';

describe('formatMinorUnits', () => {
  it.each([
    [1999, 2, '19.99'],
    [1900, 2, '19.00'],
    [5, 2, '0.05'],
    [0, 2, '0.00'],
    [-5, 2, '-0.05'],
    [-1999, 2, '-19.99'],
    [7, 0, '7'],
    [123456789012345n, 2, '1234567890123.45'],
  ])('formats %p minor units with %p decimals as %p', (minor, decimals, expected) => {
    expect(formatMinorUnits(minor, decimals)).toBe(expected);
  });

  it('refuses fractional or unsafe minor units instead of rounding them', () => {
    expect(() => formatMinorUnits(19.99, 2)).toThrow(RangeError);
    expect(() => formatMinorUnits(2 ** 60, 2)).toThrow(RangeError);
  });
});

describe('minorToUnitAmount', () => {
  it('gives the decimal number of the unit', () => {
    expect(minorToUnitAmount(1999, 2)).toBe(19.99);
    expect(minorToUnitAmount(3, 0)).toBe(3);
  });
});

describe('unitAmountToMinor', () => {
  it('rounds binary floating-point noise at the unit’s decimals', () => {
    expect(unitAmountToMinor(0.1 + 0.2, 2)).toBe(30);
    expect(unitAmountToMinor(19.99, 2)).toBe(1999);
    expect(unitAmountToMinor(2, 0)).toBe(2);
  });
});
