import { loadApiConfig } from './config';

describe('loadApiConfig (event times)', () => {
  const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };

  it('allows host-sent instants 300 seconds ahead of the clock by default, and reads EVENT_TIME_MAX_FUTURE_SKEW_SECONDS', () => {
    expect(loadApiConfig(base).EVENT_TIME_MAX_FUTURE_SKEW_SECONDS).toBe(300);
    expect(loadApiConfig({ ...base, EVENT_TIME_MAX_FUTURE_SKEW_SECONDS: '30' }).EVENT_TIME_MAX_FUTURE_SKEW_SECONDS).toBe(30);
    expect(loadApiConfig({ ...base, EVENT_TIME_MAX_FUTURE_SKEW_SECONDS: '0' }).EVENT_TIME_MAX_FUTURE_SKEW_SECONDS).toBe(0);
  });

  it.each(['five', '-1', '1.5', '86401'])('refuses %s naming the variable', (value) => {
    expect(() => loadApiConfig({ ...base, EVENT_TIME_MAX_FUTURE_SKEW_SECONDS: value })).toThrow(/^EVENT_TIME_MAX_FUTURE_SKEW_SECONDS /);
  });
});
