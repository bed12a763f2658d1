import { normalizeLocale } from './locale';

describe('normalizeLocale', () => {
  it.each([
    ['en-US', 'en_US'],
    ['en_us', 'en_US'],
    ['EN-gb', 'en_GB'],
    ['fr', 'fr'],
    ['zh-Hant-TW', 'zh_TW'],
    ['es-419', 'es_419'],
    [' pt-BR ', 'pt_BR'],
  ])('normalizes %p to %p', (input, expected) => {
    expect(normalizeLocale(input)).toBe(expected);
  });

  it.each(['', 'x', 'english', '12-US', undefined, null])('leaves %p out', (input) => {
    expect(normalizeLocale(input)).toBeUndefined();
  });
});
