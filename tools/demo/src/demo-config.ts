import fs from 'node:fs';
import path from 'node:path';
import { readStackUrls, WORKSPACE_ROOT } from '@referrals/dev-stack';

/** Where the demo finds the running stack, and the keys it calls it with. */
export interface DemoConfig {
  apiUrl: string;
  keys: { storefront: string; billing: string; admin: string };
  temporalNamespace: string;
  /** The Temporal web UI (links to the workflows the demo started); null when unknown. */
  temporalUiUrl: string | null;
  /** The fake Impact server (it plays the referral widget and Impact); null when unknown. */
  fakeImpactUrl: string | null;
  /** The longest wait for one asynchronous step (a workflow, a delivery). */
  stepTimeoutMs: number;
}

export class DemoSetupError extends Error {}

const firstKey = (list: string | undefined) => list?.split(',')[0]?.trim() || undefined;

function readKeysFile(file: string): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const keys: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^(API_KEYS_[A-Z]+)=(.+)$/.exec(line.trim());
    if (match?.[1] && match[2]) keys[match[1]] = match[2];
  }
  return keys;
}

/**
 * The variables win (`API_URL`, `API_KEYS_<ROLE>`, `TEMPORAL_UI_URL`, `FAKE_IMPACT_URL`,
 * `TEMPORAL_NAMESPACE`); otherwise what `npm start` wrote in the data folder (`DATA_DIR`, default
 * `.data`): `dev-stack.json` (URLs) and `dev-api-keys.env` (one key per role).
 */
export function resolveDemoConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const dataDir = env['DATA_DIR'] || path.join(WORKSPACE_ROOT, '.data');
  const stack = readStackUrls(dataDir);
  const keysFile = path.join(dataDir, 'dev-api-keys.env');
  const stored = readKeysFile(keysFile);
  const key = (role: 'STOREFRONT' | 'BILLING' | 'ADMIN') => {
    const value = firstKey(env[`API_KEYS_${role}`]) ?? firstKey(stored[`API_KEYS_${role}`]);
    if (!value) throw new DemoSetupError(`no ${role.toLowerCase()} API key: set API_KEYS_${role}, or start the stack with \`npm start\` (it writes ${keysFile})`);
    return value;
  };
  return {
    apiUrl: env['API_URL'] || stack?.apiUrl || `http://127.0.0.1:${env['API_PORT'] || '3000'}`,
    keys: { storefront: key('STOREFRONT'), billing: key('BILLING'), admin: key('ADMIN') },
    temporalNamespace: env['TEMPORAL_NAMESPACE'] || stack?.temporalNamespace || 'default',
    temporalUiUrl: env['TEMPORAL_UI_URL'] || stack?.temporalUiUrl || null,
    fakeImpactUrl: env['FAKE_IMPACT_URL'] || stack?.fakeImpactUrl || null,
    stepTimeoutMs: Number(env['DEMO_STEP_TIMEOUT_MS'] || 120_000),
  };
}
