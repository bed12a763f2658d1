import { DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS, deliveryHeartbeatTimeoutMs, retryDelayMs } from './settings';

describe('retryDelayMs', () => {
  const retry = { initialIntervalMs: 100, maxIntervalMs: 1_000, backoffCoefficient: 2 };

  it('grows exponentially from the initial interval', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, retry))).toEqual([100, 200, 400, 800]);
  });

  it('is capped at the maximum interval, however many attempts failed', () => {
    expect(retryDelayMs(5, retry)).toBe(1_000);
    expect(retryDelayMs(10_000, retry)).toBe(1_000);
  });

  it('never shrinks: a coefficient below 1 is read as 1', () => {
    expect(retryDelayMs(7, { ...retry, backoffCoefficient: 0.5 })).toBe(100);
  });
});

describe('deliveryHeartbeatTimeoutMs', () => {
  it('is the configured heartbeat timeout of the delivery activities', () => {
    expect(deliveryHeartbeatTimeoutMs({ deliveryHeartbeatTimeoutMs: 2_500 })).toBe(2_500);
  });

  it('is the default for settings recorded before the setting existed (a replayed history)', () => {
    expect(deliveryHeartbeatTimeoutMs({})).toBe(DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS);
    expect(DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS).toBe(5_000);
  });
});
