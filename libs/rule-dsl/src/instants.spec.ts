import { parseInstant } from './datatypes';
import { canonicalInstantMs, instantText } from './instants';

/** A deterministic spread of instants over four-digit years, edges included. */
function sampleInstants(): number[] {
  const edges = [
    -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    0,
    -1,
    Date.UTC(2000, 1, 29, 23, 59, 59, 999),
    Date.UTC(1900, 1, 28, 12),
    Date.UTC(2100, 2, 1),
    Date.UTC(2024, 11, 31, 23, 59, 59, 999),
  ];
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const random = Array.from({ length: 50_000 }, () => Math.floor(-62_167_219_200_000 + next() * (253_402_300_799_999 + 62_167_219_200_000)));
  const recent = Array.from({ length: 50_000 }, () => Math.floor(Date.UTC(1990, 0, 1) + next() * 60 * 365 * 86_400_000));
  return [...edges, ...random, ...recent];
}

describe('instant text on the hot path: the same results as V8, faster', () => {
  it('instantText writes what toISOString writes, for every four-digit year', () => {
    const wrong = sampleInstants().filter((ms) => instantText(ms) !== new Date(ms).toISOString());
    expect(wrong.map((ms) => [ms, instantText(ms)])).toEqual([]);
  });

  it('instantText leaves other years to V8 and throws its RangeError for an invalid instant', () => {
    expect(instantText(Date.UTC(10_000, 0, 1))).toBe(new Date(Date.UTC(10_000, 0, 1)).toISOString());
    expect(instantText(-62_167_219_200_001)).toBe('-000001-12-31T23:59:59.999Z');
    expect(() => instantText(Number.NaN)).toThrow(RangeError);
  });

  it('canonicalInstantMs reads back every canonical text as Date.parse does', () => {
    const wrong = sampleInstants()
      .map((ms) => new Date(ms).toISOString())
      .filter((text) => canonicalInstantMs(text) !== (Number(text.slice(8, 10)) <= 28 ? Date.parse(text) : undefined) || parseInstant(text) !== Date.parse(text));
    expect(wrong).toEqual([]);
  });

  it('canonicalInstantMs refuses what is not the canonical form, and parseInstant still decides it as before', () => {
    const others = [
      '2025-09-01T00:00:00Z',
      '2025-09-01T02:00:00.000+02:00',
      '2025-02-30T00:00:00.000Z', // V8 rolls it over to March 2nd
      '2025-01-01T24:00:00.000Z',
      '2025-13-01T00:00:00.000Z',
      '2025-01-01T23:60:00.000Z',
      '2025-1a-01T00:00:00.000Z',
      '2025-01-01 00:00:00.000Z',
      '2025-01-01T00:00:00.000z',
    ];
    for (const text of others) expect(canonicalInstantMs(text)).toBeUndefined();
    expect(parseInstant('2025-02-30T00:00:00.000Z')).toBe(Date.parse('2025-02-30T00:00:00.000Z'));
    expect(parseInstant('2025-13-01T00:00:00.000Z')).toBeUndefined();
    expect(parseInstant('2025-01-01 00:00:00.000Z')).toBeUndefined();
  });
});
