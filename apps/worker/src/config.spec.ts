import { DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS } from '@referrals/workflows';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadWorkerConfig, workerEnvSchema, workflowSettingsOf } from './config';

const env = (extra: Record<string, string> = {}) => ({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', ...extra });

describe('worker configuration: delivery heartbeat timeout', () => {
  it('reaches the workflows as deliveryHeartbeatTimeoutMs, 5 seconds unless DELIVERY_HEARTBEAT_TIMEOUT_MS says otherwise', () => {
    expect(workflowSettingsOf(workerEnvSchema.parse(env())).deliveryHeartbeatTimeoutMs).toBe(DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS);
    expect(workflowSettingsOf(workerEnvSchema.parse(env({ DELIVERY_HEARTBEAT_TIMEOUT_MS: '3000' }))).deliveryHeartbeatTimeoutMs).toBe(3_000);
  });

  it('refuses a heartbeat timeout under a second or over a minute (it must detect a dead worker well before the 2-minute attempt timeout)', () => {
    for (const value of ['500', '60001', 'soon', '2.5']) {
      expect(workerEnvSchema.safeParse(env({ DELIVERY_HEARTBEAT_TIMEOUT_MS: value })).success).toBe(false);
    }
  });
});

describe('worker configuration: Impact products', () => {
  it('reads the Impact configuration of the products file\'s products by default (kilo_pass, tutoring and kiloclaw)', () => {
    expect(loadWorkerConfig(env()).IMPACT_PRODUCTS).toEqual(['kilo_pass', 'tutoring', 'kiloclaw']);
  });

  it('follows PRODUCTS_FILE: a product without Impact (impact: null) is not read; IMPACT_PRODUCTS still wins when set', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'worker-products-')), 'products.json');
    writeFileSync(
      file,
      JSON.stringify({
        products: [
          { key: 'kilo_boost', catalog: { kind: 'payments' }, currency: 'EUR', tiers: { boost_9: 900 }, reportsSales: true, impact: 'kilo_boost' },
          { key: 'tutoring_plus', catalog: { kind: 'lessons' }, currency: 'USD', tiers: {}, reportsSales: false, impact: null },
        ],
      }),
    );
    const config = loadWorkerConfig(env({ PRODUCTS_FILE: file }));
    expect(config.IMPACT_PRODUCTS).toEqual(['kilo_boost']);
    expect(config.products.catalogs.products()).toEqual(['kilo_boost', 'tutoring_plus']);
    expect(loadWorkerConfig(env({ PRODUCTS_FILE: file, IMPACT_PRODUCTS: 'kilo_pass' })).IMPACT_PRODUCTS).toEqual(['kilo_pass']);
  });

  it('fails fast on a bad products file, naming the field', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'worker-products-')), 'products.json');
    writeFileSync(file, JSON.stringify({ products: [{ key: 'kilo_boost', catalog: { kind: 'payments' }, currency: 'usd', tiers: {}, reportsSales: true, impact: null }] }));
    expect(() => loadWorkerConfig(env({ PRODUCTS_FILE: file }))).toThrow(/products\[0\]\.currency must be an ISO 4217 currency code like USD$/);
  });
});

describe('worker configuration: the welcome-promo launch cutoff', () => {
  it('refuses the removed worker-wide PROMO_LAUNCH_CUTOFF_AT, naming its per-product replacement (rule 132)', () => {
    expect(() => loadWorkerConfig(env({ PROMO_LAUNCH_CUTOFF_AT: '2026-10-09T00:00:00Z' }))).toThrow(/PROMO_LAUNCH_CUTOFF_AT.*welcomePromoLaunchCutoffAt/);
    expect(loadWorkerConfig(env()).products.get('kilo_pass')?.welcomePromoLaunchCutoffAt).toBe('2026-10-09T00:00:00.000Z');
  });
});

describe('worker configuration: prebuilt workflow bundle', () => {
  it('is unset by default (the workflows are bundled at start) and names an existing file when set', () => {
    expect(loadWorkerConfig(env()).WORKFLOW_BUNDLE_PATH).toBeUndefined();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'worker-bundle-')), 'workflow-bundle.js');
    writeFileSync(file, '// bundle');
    expect(loadWorkerConfig(env({ WORKFLOW_BUNDLE_PATH: file })).WORKFLOW_BUNDLE_PATH).toBe(file);
  });

  it('refuses a path where no file is, naming the variable', () => {
    expect(() => loadWorkerConfig(env({ WORKFLOW_BUNDLE_PATH: '/nowhere/workflow-bundle.js' }))).toThrow(/WORKFLOW_BUNDLE_PATH must name an existing file/);
  });
});
