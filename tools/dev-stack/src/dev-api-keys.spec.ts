import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devApiKeys } from './dev-api-keys';

describe('devApiKeys', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates one long key per role, keeps them across restarts in a private file', () => {
    const first = devApiKeys(dir, {});
    expect(Object.keys(first.vars).sort()).toEqual(['API_KEYS_ADMIN', 'API_KEYS_BILLING', 'API_KEYS_STOREFRONT']);
    for (const key of Object.values(first.vars)) expect(key.length).toBeGreaterThanOrEqual(24);
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    expect(devApiKeys(dir, {}).vars).toEqual(first.vars);
  });

  it('uses a key the environment sets instead of generating one', () => {
    const own = 'my_own_admin_key_0123456789abcdef';
    expect(devApiKeys(dir, { API_KEYS_ADMIN: own }).vars['API_KEYS_ADMIN']).toBe(own);
  });
});
