import { normalizeLocale } from './locale';

describe('normalizeLocale', () => {
  it.each([
    ['en-US', 'en_US'],
    ['en_us', 'en_US'],
    ['EN-gb', 'en_GB'],
    ['zh-Hant-TW', 'zh_TW'],
    ['es-419', 'es_419'],
    [' pt-BR ', 'pt_BR'],
  ])('normalizes %p to %p', (input, expected) => {
    expect(normalizeLocale(input)).toBe(expected);
  });

  it.each(['', 'x', 'english', '12-US', undefined, null, 'fr', 'en'])('leaves %p out (Advocate refuses a bare language)', (input) => {
    expect(normalizeLocale(input)).toBeUndefined();
  });

  it('completes a bare language with the country code when one is known', () => {
    expect(normalizeLocale('fr', 'ca')).toBe('fr_CA');
    expect(normalizeLocale('en-GB', 'US')).toBe('en_GB');
    expect(normalizeLocale('en', 'Canada')).toBeUndefined();
  });
});
