import { createImpactClient, impactConfigFromEnv } from '@referrals/impact-client';
import pino from 'pino';
import { type DevFakeImpact, impactCredentialVariables, startFakeImpactUnlessCredentials } from './fake-impact';
import { isPortOpen } from './free-port';

/** `npm start`'s Impact decision (start.e2e.spec.ts runs it inside the whole stack). */
describe('dev stack: fake Impact unless credentials are set', () => {
  const started: DevFakeImpact[] = [];
  const start = async (userEnv: NodeJS.ProcessEnv) => {
    const fake = await startFakeImpactUnlessCredentials(userEnv);
    if (fake) started.push(fake);
    return fake;
  };
  afterAll(async () => {
    for (const fake of started) await fake.stop().catch(() => undefined);
  });

  const credentials = {
    IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS: 'real_tenant',
    IMPACT_KILO_PASS_ADVOCATE_ACCOUNT_SID: 'IRreal',
    IMPACT_KILO_PASS_ADVOCATE_AUTH_TOKEN: 'real-token',
    IMPACT_KILO_PASS_ADVOCATE_PROGRAM_ID: '123',
    IMPACT_KILO_PASS_ADVOCATE_REWARD_UNIT: 'USD',
  };

  it('without credentials: starts the fake on a free port and hands api and worker a configuration that works against it', async () => {
    const fake = await start({ PATH: '/usr/bin', IMPACT_TIMEOUT_MS: '3000' });
    if (!fake) throw new Error('expected the fake to start');
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    expect(fake.env['IMPACT_PRODUCTS']).toBe('kiloclaw,kilo_pass');
    expect(fake.env).not.toHaveProperty('IMPACT_TIMEOUT_MS'); // the user's value stays in force

    // What the worker reads (its IMPACT_PRODUCTS) and what the api reads (its products).
    const worker = impactConfigFromEnv(fake.env, (fake.env['IMPACT_PRODUCTS'] ?? '').split(','));
    // The api reads the products file's Impact products (config/products.json: kilo_pass, tutoring, kiloclaw).
    const api = impactConfigFromEnv(fake.env, ['kilo_pass', 'tutoring', 'kiloclaw']);
    expect(Object.keys(worker.products).sort()).toEqual(['kilo_pass', 'kiloclaw']);
    expect(Object.keys(api.products).sort()).toEqual(['kilo_pass', 'kiloclaw']);
    expect(api.products['kilo_pass']).toMatchObject({ advocate: { programId: '51700', baseUrl: fake.url }, performance: { campaignId: '50755', baseUrl: fake.url } });

    const client = createImpactClient({ config: api, logger: pino({ level: 'silent' }) });
    const registered = await client.forProduct('kilo_pass').advocate.upsertParticipant({ id: 'ada@example.test', accountId: 'ada@example.test', email: 'ada@example.test' });
    expect(registered).toMatchObject({ kind: 'ok', value: { referralCode: expect.stringMatching(/^ADA\d{13,}$/) } });

    await fake.stop();
    expect(await isPortOpen(fake.port)).toBe(false);
  });

  it('IMPACT_TIMEOUT_MS, IMPACT_PRODUCTS, the poll knobs and blank values are not credentials; an IMPACT_PRODUCTS the user set stays theirs', async () => {
    const fake = await start({ IMPACT_TIMEOUT_MS: '3000', IMPACT_PRODUCTS: 'kilo_pass', IMPACT_POLL_MAX_POLLS: '2', IMPACT_KILO_PASS_ADVOCATE_BASE_URL: ' ' });
    expect(fake).not.toBeNull();
    expect(fake?.env).not.toHaveProperty('IMPACT_PRODUCTS');
    expect(fake?.env).toHaveProperty('IMPACT_KILO_PASS_ADVOCATE_BASE_URL', fake?.url);
  });

  it('with credentials set: starts no fake', async () => {
    expect(await start({ ...credentials, IMPACT_TIMEOUT_MS: '3000' })).toBeNull();
    expect(await start({ IMPACT_TUTORING_PERFORMANCE_CAMPAIGN_ID: '9' })).toBeNull();
  });

  it('counts as credentials only the non-empty IMPACT_<PRODUCT>_ADVOCATE_* and _PERFORMANCE_* variables', () => {
    expect(impactCredentialVariables({ ...credentials, IMPACT_TUTORING_PERFORMANCE_CAMPAIGN_ID: '9', IMPACT_TIMEOUT_MS: '1', IMPACT_PRODUCTS: 'x', IMPACT_POLL_INTERVAL_MS: '5' })).toEqual([
      'IMPACT_KILO_PASS_ADVOCATE_ACCOUNT_SID',
      'IMPACT_KILO_PASS_ADVOCATE_AUTH_TOKEN',
      'IMPACT_KILO_PASS_ADVOCATE_PROGRAM_ID',
      'IMPACT_KILO_PASS_ADVOCATE_REWARD_UNIT',
      'IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS',
      'IMPACT_TUTORING_PERFORMANCE_CAMPAIGN_ID',
    ]);
    expect(impactCredentialVariables({ IMPACT_KILO_PASS_ADVOCATE_AUTH_TOKEN: '', IMPACT_KILO_PASS_PERFORMANCE_ACCOUNT_SID: '  ' })).toEqual([]);
  });
});
