/**
 * Advocate wants `language_COUNTRY` (`en_US`: underscore, upper-case region; a bare `en` is refused
 * with RS039), while browsers and HTTP send `en-US`, `en-us`, `zh-Hant-TW` or just `en`. Returns the
 * Advocate form, completing a bare language with `countryCode` when one is known, or undefined: the
 * field is then left out rather than failing a registration over a cosmetic value.
 */
export function normalizeLocale(locale: string | null | undefined, countryCode?: string | null): string | undefined {
  if (!locale) return undefined;
  const parts = locale.trim().split(/[-_]/);
  const language = parts[0]?.toLowerCase();
  if (!language || !/^[a-z]{2,3}$/.test(language)) return undefined;
  // A script subtag (`Hant`) has four letters; the region is two letters or three digits.
  const region = parts.slice(1).find((part) => /^([a-zA-Z]{2}|\d{3})$/.test(part)) ?? countryCode?.trim();
  return region && /^([a-zA-Z]{2}|\d{3})$/.test(region) ? `${language}_${region.toUpperCase()}` : undefined;
}
