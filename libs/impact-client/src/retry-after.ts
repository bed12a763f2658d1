/**
 * How long the server asked us to wait, from `Retry-After` (delta-seconds or an HTTP date) or,
 * failing that, `X-RateLimit-Reset`. Impact does not say whether the reset header is an epoch or
 * a delta, so both are accepted: values that look like epoch seconds or epoch milliseconds are
 * treated as instants, small values as seconds from now.
 */
export function retryAfterMsFrom(headers: Headers, nowMs: number): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - nowMs);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+(\.\d+)?$/.test(reset)) {
    const value = Number(reset);
    if (value >= 1e12) return Math.max(0, Math.ceil(value - nowMs));
    if (value >= 1e9) return Math.max(0, Math.ceil(value * 1000 - nowMs));
    return Math.ceil(value * 1000);
  }
  return undefined;
}
