import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const API_KEY_ROLES = ['STOREFRONT', 'BILLING', 'ADMIN'] as const;

/**
 * API keys for the dev stack, one per role, for whichever `API_KEYS_<ROLE>` the environment does not
 * set: generated once, kept in `<DATA_DIR>/dev-api-keys.env` (mode 0600) so they survive restarts,
 * and never printed — `npm start` prints the file's path instead.
 */
export function devApiKeys(dataDir: string, env: NodeJS.ProcessEnv): { vars: Record<string, string>; file: string } {
  const file = path.join(dataDir, 'dev-api-keys.env');
  const stored: Record<string, string> = {};
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const match = /^(API_KEYS_[A-Z]+)=(.+)$/.exec(line.trim());
      if (match?.[1] && match[2]) stored[match[1]] = match[2];
    }
  }
  const vars: Record<string, string> = {};
  for (const role of API_KEY_ROLES) {
    const name = `API_KEYS_${role}`;
    vars[name] = env[name] || stored[name] || `dev_${role.toLowerCase()}_${randomBytes(18).toString('base64url')}`;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n')}\n`, { mode: 0o600 });
  return { vars, file };
}
