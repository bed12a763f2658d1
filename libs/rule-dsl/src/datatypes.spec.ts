import { DATATYPES, elementOf, instantMs, isDatatype, listOf, parseInstant, parseLiteral } from './datatypes';

describe('parseInstant', () => {
  it('reads ISO 8601 instants with an offset', () => {
    expect(parseInstant('2025-09-01T00:00:00Z')).toBe(Date.UTC(2025, 8, 1));
    expect(parseInstant('2025-09-01T02:00:00+02:00')).toBe(Date.UTC(2025, 8, 1));
    expect(parseInstant('2025-09-01T00:00Z')).toBe(Date.UTC(2025, 8, 1));
    expect(parseInstant('2025-09-01T00:00:00.123456Z')).toBe(Date.UTC(2025, 8, 1) + 123);
  });

  it('rejects local times and dates alone, which depend on the machine zone', () => {
    expect(parseInstant('2025-09-01T00:00:00')).toBeUndefined();
    expect(parseInstant('2025-09-01')).toBeUndefined();
    expect(parseInstant('Sep 1, 2025')).toBeUndefined();
    expect(parseInstant('2025-13-01T00:00:00Z')).toBeUndefined();
  });
});

describe('instantMs', () => {
  it('accepts valid Dates and ISO instants', () => {
    expect(instantMs(new Date(5))).toBe(5);
    expect(instantMs(new Date(Number.NaN))).toBeUndefined();
    expect(instantMs(5)).toBeUndefined();
  });
});

describe('parseLiteral', () => {
  it('parses each datatype from its JSON form', () => {
    expect(parseLiteral('bool', true)).toEqual({ datatype: 'bool', value: true });
    expect(parseLiteral('int', 3)).toEqual({ datatype: 'int', value: 3 });
    expect(parseLiteral('decimal', '2.50')).toMatchObject({ datatype: 'decimal', value: { fast: 2.5 } });
    expect(parseLiteral('money', { amountMinor: 5, currency: 'EUR' })).toEqual({ datatype: 'money', value: { amountMinor: 5, currency: 'EUR' } });
    expect(parseLiteral('string', '')).toEqual({ datatype: 'string', value: '' });
    expect(parseLiteral('datetime', '2025-01-01T00:00:00Z')).toEqual({ datatype: 'datetime', value: Date.UTC(2025, 0, 1) });
    expect(parseLiteral('list[int]', [1, 2])).toEqual({ datatype: 'list[int]', value: [1, 2] });
    expect(parseLiteral('list[string]', [])).toEqual({ datatype: 'list[string]', value: [] });
  });

  it('rejects values of another datatype', () => {
    expect(parseLiteral('bool', 'true')).toBeUndefined();
    expect(parseLiteral('int', 1.5)).toBeUndefined();
    expect(parseLiteral('int', 2 ** 53)).toBeUndefined();
    expect(parseLiteral('decimal', 'one')).toBeUndefined();
    expect(parseLiteral('money', { amountMinor: 5 })).toBeUndefined();
    expect(parseLiteral('string', 5)).toBeUndefined();
    expect(parseLiteral('datetime', '2025-01-01')).toBeUndefined();
    expect(parseLiteral('list[int]', [1, '2'])).toBeUndefined();
    expect(parseLiteral('list[string]', 'a')).toBeUndefined();
  });
});

describe('datatype helpers', () => {
  it('pairs scalars with their lists', () => {
    expect(listOf('int')).toBe('list[int]');
    expect(listOf('string')).toBe('list[string]');
    expect(listOf('decimal')).toBeUndefined();
    expect(elementOf('list[string]')).toBe('string');
  });

  it('recognizes exactly the eight datatypes', () => {
    expect(DATATYPES).toHaveLength(8);
    expect(isDatatype('list[int]')).toBe(true);
    expect(isDatatype('float')).toBe(false);
  });
});
