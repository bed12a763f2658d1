import { retryAfterMsFrom } from './retry-after';

const NOW = Date.UTC(2026, 2, 1, 12, 0, 0);
const headers = (init: Record<string, string>) => new Headers(init);

describe('retryAfterMsFrom', () => {
  it('reads Retry-After delta seconds', () => {
    expect(retryAfterMsFrom(headers({ 'retry-after': '7' }), NOW)).toBe(7000);
  });

  it('reads a Retry-After HTTP date', () => {
    expect(retryAfterMsFrom(headers({ 'retry-after': new Date(NOW + 5000).toUTCString() }), NOW)).toBe(5000);
  });

  it('prefers Retry-After over X-RateLimit-Reset', () => {
    expect(retryAfterMsFrom(headers({ 'retry-after': '1', 'x-ratelimit-reset': '60' }), NOW)).toBe(1000);
  });

  it('reads X-RateLimit-Reset as epoch seconds, epoch milliseconds or seconds from now', () => {
    expect(retryAfterMsFrom(headers({ 'x-ratelimit-reset': String(NOW / 1000 + 30) }), NOW)).toBe(30_000);
    expect(retryAfterMsFrom(headers({ 'x-ratelimit-reset': String(NOW + 2500) }), NOW)).toBe(2500);
    expect(retryAfterMsFrom(headers({ 'x-ratelimit-reset': '45' }), NOW)).toBe(45_000);
  });

  it('never answers a negative delay, and nothing without headers', () => {
    expect(retryAfterMsFrom(headers({ 'x-ratelimit-reset': String(NOW / 1000 - 30) }), NOW)).toBe(0);
    expect(retryAfterMsFrom(headers({}), NOW)).toBeUndefined();
    expect(retryAfterMsFrom(headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
  });
});
