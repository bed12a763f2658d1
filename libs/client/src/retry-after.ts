/**
 * The wait a `Retry-After` header asks for, in milliseconds: delta-seconds (`5`) or an HTTP date
 * (RFC 9110 §10.2.3). null when the header is absent or unreadable: the answer is not a retry invitation.
 */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date starts with the day's name (IMF-fixdate, RFC 850, asctime); Date.parse alone reads "-1" as a year.
  if (!/^[A-Za-z]{3}/.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}
