import {
  compareDecimals,
  decimalFromNumber,
  divideRoundHalfUp,
  exactNumberFromText,
  exactNumberOf,
  formatDecimal,
  parseDecimal,
  toDecimal,
} from './decimal';

const d = (text: string) => {
  const parsed = parseDecimal(text);
  if (!parsed) throw new Error(`not a decimal: ${text}`);
  return parsed;
};

describe('parseDecimal', () => {
  it('normalizes trailing zeros so equal values have one representation', () => {
    expect(d('12.50')).toEqual({ units: 125n, scale: 1 });
    expect(d('12.5')).toEqual(d('12.500'));
    expect(d('0.000')).toEqual({ units: 0n, scale: 0 });
    expect(d('-0')).toEqual({ units: 0n, scale: 0 });
  });

  it('reads exponents, as numbers print them', () => {
    expect(d('1e-7')).toEqual({ units: 1n, scale: 7 });
    expect(d('2.5E3')).toEqual({ units: 2500n, scale: 0 });
  });

  it('rejects text a person would not write as a number', () => {
    for (const text of ['', '.5', '5.', '+5', '1,5', '1 000', 'NaN', 'Infinity', '0x10', '--1']) {
      expect(parseDecimal(text)).toBeUndefined();
    }
  });

  it('bounds digits and exponents, so a hostile literal cannot allocate a huge number', () => {
    expect(parseDecimal('1e61')).toBeUndefined();
    expect(parseDecimal('1'.repeat(61))).toBeUndefined();
    expect(parseDecimal('1'.repeat(60))).toBeDefined();
  });
});

describe('decimalFromNumber', () => {
  it('reads a number as its shortest decimal form', () => {
    expect(decimalFromNumber(0.1)).toEqual(d('0.1'));
    expect(decimalFromNumber(45.3)).toEqual(d('45.3'));
    expect(decimalFromNumber(1e21)).toEqual(d('1e21'));
    expect(decimalFromNumber(-2)).toEqual(d('-2'));
  });

  it('has no decimal for NaN or infinities', () => {
    expect(decimalFromNumber(Number.NaN)).toBeUndefined();
    expect(decimalFromNumber(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('toDecimal', () => {
  it('accepts decimal strings and finite numbers only', () => {
    expect(toDecimal('3.25')).toEqual(d('3.25'));
    expect(toDecimal(3.25)).toEqual(d('3.25'));
    expect(toDecimal(true)).toBeUndefined();
    expect(toDecimal(null)).toBeUndefined();
  });
});

describe('compareDecimals', () => {
  it('orders by value across scales', () => {
    expect(compareDecimals(d('1.5'), d('1.50'))).toBe(0);
    expect(compareDecimals(d('1.49'), d('1.5'))).toBe(-1);
    expect(compareDecimals(d('-1'), d('-1.5'))).toBe(1);
  });

  it('sees differences beyond double precision', () => {
    expect(compareDecimals(d('2.500000000000000000001'), d('2.5'))).toBe(1);
  });
});

describe('formatDecimal', () => {
  it('prints the canonical form', () => {
    expect(formatDecimal(d('012.50'))).toBe('12.5');
    expect(formatDecimal(d('-0.0001'))).toBe('-0.0001');
    expect(formatDecimal(d('1e3'))).toBe('1000');
  });
});

describe('exactNumberOf', () => {
  it('gives the double whose shortest form is the decimal', () => {
    expect(exactNumberOf(d('0.3'))).toBe(0.3);
    expect(exactNumberOf(d('40.00'))).toBe(40);
  });

  it('gives nothing for decimals no double prints as', () => {
    expect(exactNumberOf(d('0.30000000000000001'))).toBeUndefined();
  });
});

describe('exactNumberFromText', () => {
  it('takes plain decimals of up to 15 digits', () => {
    expect(exactNumberFromText('45.30')).toBe(45.3);
    expect(exactNumberFromText('-0.5')).toBe(-0.5);
    expect(exactNumberFromText('123456789012345')).toBe(123456789012345);
  });

  it('leaves longer or unusual forms to the exact parser', () => {
    expect(exactNumberFromText('1234567890123456')).toBeUndefined();
    expect(exactNumberFromText('0.30000000000000001')).toBeUndefined();
    expect(exactNumberFromText('1e3')).toBeUndefined();
    expect(exactNumberFromText('abc')).toBeUndefined();
    for (const text of ['', '-', '5.', '.5', '1.2.3', '+1', '1e3', ' 1', '1_000', '0x1']) expect(exactNumberFromText(text)).toBeUndefined();
  });

  it('computes the same double as Number(text), without parsing twice (sampled, -0 included)', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const texts = ['-0', '-0.00', '0.1', '0.3', '999999999999999', '9.99999999999999', '0.00000000000001'];
    for (let i = 0; i < 20_000; i++) {
      const digits = String(next()) + String(next());
      const length = 1 + (next() % 15);
      const body = digits.slice(0, length);
      const dot = next() % (length + 1);
      const text = dot === 0 || dot === length ? body : `${body.slice(0, dot)}.${body.slice(dot)}`;
      texts.push(next() % 2 === 0 ? text : `-${text}`);
    }
    const taken = texts.filter((text) => exactNumberFromText(text) !== undefined);
    expect(taken.length).toBeGreaterThan(15_000);
    expect(taken.filter((text) => !Object.is(exactNumberFromText(text), Number(text)))).toEqual([]);
  });

  it('agrees with the exact parser on every short decimal it accepts (sampled)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 2000; i++) {
      const text = `${next() % 100000}.${String(next() % 1000000).padStart(6, '0')}`;
      const fast = exactNumberFromText(text);
      expect(fast).toBeDefined();
      expect(decimalFromNumber(fast as number)).toEqual(d(text));
    }
  });
});

describe('divideRoundHalfUp', () => {
  it('rounds halves away from zero and everything else to nearest', () => {
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideRoundHalfUp(14n, 10n)).toBe(1n);
    expect(divideRoundHalfUp(16n, 10n)).toBe(2n);
    expect(divideRoundHalfUp(-14n, 10n)).toBe(-1n);
  });
});
