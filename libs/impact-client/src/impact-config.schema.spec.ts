import { ConfigError } from '@referrals/config';
import { impactConfigFromEnv, impactConfigToEnv, parseImpactConfig, type ImpactConfigInput } from './impact-config.schema';
import { defaultFakeImpactSeed, fakeImpactClientConfig } from './testing/fake-impact.seed';

const advocate = {
  tenantAlias: 'referrals_demo',
  accountSid: 'IRSID',
  authToken: 'secret-token-value',
  programId: 51699,
  rewardUnit: 'MONTH',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseImpactConfig', () => {
  it('applies defaults: widget id from the program, production auth style, base URLs, timeout', () => {
    const config = parseImpactConfig({ products: { kiloclaw: { advocate } } });
    expect(config).toEqual({
      timeoutMs: 10_000,
      products: {
        kiloclaw: {
          advocate: {
            ...advocate,
            programId: '51699',
            widgetId: 'p/51699/w/referrerWidget',
            authStyle: 'account_sid_auth_token',
            rewardUnitDecimals: 0,
            baseUrl: 'https://app.referralsaasquatch.com',
          },
        },
      },
    });
  });

  it('names the path of the first problem and never echoes a secret', () => {
    const error = configError(() =>
      parseImpactConfig({ products: { kilo_pass: { advocate: { ...advocate, tenantAlias: 'bad alias/secret-token-value' } } } }),
    );
    expect(error.variable).toBe('products.kilo_pass.advocate.tenantAlias');
    expect(error.message).not.toContain('secret-token-value');
  });

  it('rejects unknown keys, so a misspelt setting is not silently ignored', () => {
    expect(configError(() => parseImpactConfig({ products: { kiloclaw: { advocate: { ...advocate, programID: '1' } } } })).variable).toBe(
      'products.kiloclaw.advocate',
    );
  });

  it('rejects product keys that are not lower_snake_case', () => {
    expect(() => parseImpactConfig({ products: { 'Kilo Pass': { advocate } } })).toThrow(ConfigError);
  });

  it('strips a trailing slash from base URLs and refuses non-http ones', () => {
    const config = parseImpactConfig({ products: { kiloclaw: { advocate: { ...advocate, baseUrl: 'http://127.0.0.1:4010/' } } } });
    expect(config.products['kiloclaw']?.advocate?.baseUrl).toBe('http://127.0.0.1:4010');
    expect(() => parseImpactConfig({ products: { kiloclaw: { advocate: { ...advocate, baseUrl: 'ftp://x' } } } })).toThrow(ConfigError);
  });
});

describe('impactConfigFromEnv', () => {
  const env = {
    IMPACT_KILOCLAW_ADVOCATE_TENANT_ALIAS: 'referrals_demo',
    IMPACT_KILOCLAW_ADVOCATE_ACCOUNT_SID: 'IRSID',
    IMPACT_KILOCLAW_ADVOCATE_AUTH_TOKEN: 'secret-token-value',
    IMPACT_KILOCLAW_ADVOCATE_AUTH_STYLE: 'empty_username_api_key',
    IMPACT_KILOCLAW_ADVOCATE_PROGRAM_ID: '51699',
    IMPACT_KILOCLAW_ADVOCATE_REWARD_UNIT: 'MONTH',
    IMPACT_KILOCLAW_PERFORMANCE_ACCOUNT_SID: 'IRPERF',
    IMPACT_KILOCLAW_PERFORMANCE_AUTH_TOKEN: 'perf-token',
    IMPACT_KILOCLAW_PERFORMANCE_CAMPAIGN_ID: '50754',
    IMPACT_KILOCLAW_PERFORMANCE_ACTION_TRACKER_SALE: '71659',
    IMPACT_TIMEOUT_MS: '5000',
  };

  it('reads each product’s sections from its own variables', () => {
    const config = impactConfigFromEnv(env, ['kiloclaw', 'kilo_pass']);
    expect(config.timeoutMs).toBe(5000);
    expect(config.products['kiloclaw']?.advocate).toMatchObject({ authStyle: 'empty_username_api_key', programId: '51699' });
    expect(config.products['kiloclaw']?.performance).toMatchObject({ campaignId: '50754', actionTrackerIds: { SALE: '71659' } });
  });

  it('leaves a product with no variables out, so it is disabled rather than borrowing another’s', () => {
    expect(impactConfigFromEnv(env, ['kiloclaw', 'kilo_pass']).products['kilo_pass']).toBeUndefined();
    expect(impactConfigFromEnv({ IMPACT_KILO_PASS_ADVOCATE_PROGRAM_ID: '' }, ['kilo_pass']).products).toEqual({});
  });

  it('fails on a half-configured section, naming the missing variable', () => {
    const error = configError(() => impactConfigFromEnv({ IMPACT_KILO_PASS_ADVOCATE_PROGRAM_ID: '51700' }, ['kilo_pass']));
    expect(error.variable).toBe('IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS');
    expect(error.message).toBe('IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS must be set');
  });

  it('names the variable of a malformed value without echoing it', () => {
    const error = configError(() => impactConfigFromEnv({ ...env, IMPACT_KILOCLAW_PERFORMANCE_CAMPAIGN_ID: 'abc-secret' }, ['kiloclaw']));
    expect(error.variable).toBe('IMPACT_KILOCLAW_PERFORMANCE_CAMPAIGN_ID');
    expect(error.message).not.toContain('abc-secret');
  });
});

describe('impactConfigToEnv', () => {
  const full: ImpactConfigInput = {
    timeoutMs: 2500,
    products: {
      kiloclaw: {
        advocate: { ...advocate, authStyle: 'empty_username_api_key', widgetId: 'p/51699/w/custom', rewardUnitDecimals: 0, baseUrl: 'http://127.0.0.1:4010/' },
        performance: { accountSid: 'IRPERF', authToken: 'perf-token', campaignId: 50754, actionTrackerIds: { SALE: 71659, SIGNUP: '71655' } },
      },
      kilo_pass: { advocate: { ...advocate, programId: '51700', rewardUnit: 'USD', rewardUnitDecimals: 2 } },
      tutoring: { performance: { accountSid: 'IRPERF', authToken: 'perf-token', campaignId: '50756' } },
    },
  };

  it.each([
    ['every field of both sections, numbers as strings, a trailing slash', full],
    ['only the defaults filled in (a parsed configuration)', parseImpactConfig(full)],
    ['the fake server seed', fakeImpactClientConfig(defaultFakeImpactSeed, 'http://127.0.0.1:4010', { timeoutMs: 2000 })],
    ['no products', { products: {} }],
  ])('round-trips: reading back what it wrote gives the same parsed configuration (%s)', (_case, config) => {
    const products = Object.keys(config.products ?? {});
    expect(impactConfigFromEnv(impactConfigToEnv(config), products)).toEqual(parseImpactConfig(config));
  });

  it('writes the variable names impactConfigFromEnv documents, and no timeout unless given', () => {
    const env = impactConfigToEnv({ products: { kilo_pass: full.products!['kiloclaw']! } });
    expect(env).toMatchObject({
      IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS: 'referrals_demo',
      IMPACT_KILO_PASS_ADVOCATE_REWARD_UNIT_DECIMALS: '0',
      IMPACT_KILO_PASS_ADVOCATE_BASE_URL: 'http://127.0.0.1:4010/',
      IMPACT_KILO_PASS_PERFORMANCE_CAMPAIGN_ID: '50754',
      IMPACT_KILO_PASS_PERFORMANCE_ACTION_TRACKER_SALE: '71659',
    });
    expect(Object.keys(env).every((name) => name.startsWith('IMPACT_KILO_PASS_'))).toBe(true);
    expect(env).not.toHaveProperty('IMPACT_TIMEOUT_MS');
  });
});
