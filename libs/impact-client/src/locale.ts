/**
 * Advocate wants `en_US` (underscore, upper-case region), while browsers and HTTP send `en-US`,
 * `en-us` or `zh-Hant-TW`. Returns the Advocate form, or undefined for something that is not a
 * locale (the field is then left out rather than failing a registration over a cosmetic value).
 */
export function normalizeLocale(locale: string | null | undefined): string | undefined {
  if (!locale) return undefined;
  const parts = locale.trim().split(/[-_]/);
  const language = parts[0]?.toLowerCase();
  if (!language || !/^[a-z]{2,3}$/.test(language)) return undefined;
  // A script subtag (`Hant`) has four letters; the region is two letters or three digits.
  const region = parts.slice(1).find((part) => /^([a-zA-Z]{2}|\d{3})$/.test(part));
  return region ? `${language}_${region.toUpperCase()}` : language;
}
