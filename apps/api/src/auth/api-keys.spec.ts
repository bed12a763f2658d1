import { ApiKeyring } from './api-keys';
import { loadApiConfig } from '../config';

describe('ApiKeyring', () => {
  const keyring = new ApiKeyring({
    storefront: ['storefront-key-0123456789abcdefgh', 'storefront-key-rotated-0123456789'],
    admin: ['admin-key-0123456789abcdefghijklmn'],
  });

  it('knows each configured key\'s role, including every key of a role being rotated', () => {
    expect(keyring.roleOf('storefront-key-0123456789abcdefgh')).toBe('storefront');
    expect(keyring.roleOf('storefront-key-rotated-0123456789')).toBe('storefront');
    expect(keyring.roleOf('admin-key-0123456789abcdefghijklmn')).toBe('admin');
  });

  it('knows no key that is not configured exactly, whatever its length or prefix', () => {
    for (const guess of ['', 'admin-key', 'admin-key-0123456789abcdefghijklm', 'admin-key-0123456789abcdefghijklmnX', 'ADMIN-KEY-0123456789ABCDEFGHIJKLMN']) {
      expect(keyring.roleOf(guess)).toBeNull();
    }
  });
});

describe('loadApiConfig (keys and secrets)', () => {
  const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' };

  it('reads comma-separated keys per role and leaves roles without keys closed, with a warning', () => {
    const config = loadApiConfig({ ...base, API_KEYS_ADMIN: 'admin-key-0123456789abcdefghijklmn, admin-key-2-0123456789abcdefghijkl' });
    expect(config.API_KEYS).toEqual({ storefront: [], billing: [], admin: ['admin-key-0123456789abcdefghijklmn', 'admin-key-2-0123456789abcdefghijkl'] });
    expect(config.warnings).toContain('API_KEYS_STOREFRONT is not set: storefront endpoints answer 401');
  });

  it('refuses a short key naming the variable but never printing the value', () => {
    expect(() => loadApiConfig({ ...base, API_KEYS_BILLING: 'short-secret' })).toThrow(/^API_KEYS_BILLING must be/);
    try {
      loadApiConfig({ ...base, API_KEYS_BILLING: 'short-secret' });
    } catch (error) {
      expect((error as Error).message).not.toContain('short-secret');
    }
  });

  it('refuses one key under two roles (a storefront key must never open admin endpoints)', () => {
    const key = 'shared-key-0123456789abcdefghijkl';
    expect(() => loadApiConfig({ ...base, API_KEYS_STOREFRONT: key, API_KEYS_ADMIN: key })).toThrow(/listed twice or under two roles/);
  });

  it('requires EMAIL_HASH_SECRET in production and falls back to a development secret elsewhere', () => {
    expect(() => loadApiConfig({ ...base, NODE_ENV: 'production' })).toThrow(/^EMAIL_HASH_SECRET must be set in production/);
    expect(loadApiConfig(base).warnings).toContain('EMAIL_HASH_SECRET is not set: using the development secret (never in production)');
    expect(loadApiConfig({ ...base, EMAIL_HASH_SECRET: 'a-long-enough-secret-value' }).EMAIL_HASH_SECRET).toBe('a-long-enough-secret-value');
  });

  it('[184] requires PAYMENT_INSTRUMENT_HASH_SECRET in production, falls back to a development secret elsewhere, never echoes it', () => {
    const production = { ...base, NODE_ENV: 'production', EMAIL_HASH_SECRET: 'a-long-enough-secret-value' };
    expect(() => loadApiConfig(production)).toThrow(/^PAYMENT_INSTRUMENT_HASH_SECRET must be set in production/);
    expect(loadApiConfig(base).warnings).toContain('PAYMENT_INSTRUMENT_HASH_SECRET is not set: using the development secret (never in production)');
    expect(() => loadApiConfig({ ...base, PAYMENT_INSTRUMENT_HASH_SECRET: 'short-secret' })).toThrow(/at least 16 characters \(value not shown\)$/);
    expect(loadApiConfig({ ...base, PAYMENT_INSTRUMENT_HASH_SECRET: 'another-long-enough-secret' }).PAYMENT_INSTRUMENT_HASH_SECRET).toBe('another-long-enough-secret');
  });
});
