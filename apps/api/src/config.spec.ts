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

describe('loadApiConfig (Temporal UI links)', () => {
  const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };

  it('has no Temporal UI unless TEMPORAL_UI_URL is set, and keeps it without a trailing slash', () => {
    expect(loadApiConfig(base).TEMPORAL_UI_URL).toBeUndefined();
    expect(loadApiConfig({ ...base, TEMPORAL_UI_URL: 'https://temporal.example.com/' }).TEMPORAL_UI_URL).toBe('https://temporal.example.com');
    expect(loadApiConfig({ ...base, TEMPORAL_UI_URL: 'http://127.0.0.1:8233' }).TEMPORAL_UI_URL).toBe('http://127.0.0.1:8233');
  });

  it.each(['127.0.0.1:8233', 'ftp://temporal.example.com', 'not a url'])('refuses %s naming the variable', (value) => {
    expect(() => loadApiConfig({ ...base, TEMPORAL_UI_URL: value })).toThrow(/^TEMPORAL_UI_URL /);
  });
});
