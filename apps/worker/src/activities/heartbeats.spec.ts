import { heartbeatIntervalMs, withHeartbeats } from './heartbeats';

describe('heartbeatIntervalMs', () => {
  it('records a heartbeat four times per heartbeat timeout, at most every second and at least every 100 ms', () => {
    expect(heartbeatIntervalMs(2_000)).toBe(500);
    expect(heartbeatIntervalMs(5_000)).toBe(1_000);
    expect(heartbeatIntervalMs(60_000)).toBe(1_000);
    expect(heartbeatIntervalMs(200)).toBe(100);
  });
});

describe('withHeartbeats', () => {
  it('outside an activity (activities called directly) just runs the body', async () => {
    await expect(withHeartbeats(() => Promise.resolve('done'))).resolves.toBe('done');
    await expect(withHeartbeats(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
