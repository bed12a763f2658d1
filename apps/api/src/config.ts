import { ConfigError, hostPortVar, logLevelVar, parseEnv, portVar, postgresUrlVar } from '@referrals/config';
import { TASK_QUEUE } from '@referrals/workflows';
import { z } from 'zod';
import { API_ROLES, type ApiRole } from './auth/api-keys';

export const apiEnvSchema = z.object({
  API_PORT: portVar(3000),
  /** Interface to listen on; 0.0.0.0 in containers. */
  API_HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: postgresUrlVar,
  TEMPORAL_ADDRESS: hostPortVar.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /**
   * The Temporal web UI (`http://127.0.0.1:8233` for the dev server): the admin console's ops view
   * links each delivery's workflow there. Unset: the workflow ids are shown without links.
   */
  TEMPORAL_UI_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:8233' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** The queue the worker serves (the worker reads the same variable). */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  LOG_LEVEL: logLevelVar,
  /** Largest accepted request body; bigger ones get 413 before any parsing. */
  API_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/, 'must be a size like 100kb').default('100kb'),
  /**
   * How far past the server's clock a host-sent instant of the past (paidAt, signedUpAt,
   * occurredAt...) may be before it is refused as `time_in_future` (clock drift between the host
   * and this server).
   */
  EVENT_TIME_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int('must be a whole number of seconds').min(0).max(86_400).default(300),
  /** `production` makes the secrets below mandatory (no development fallback). */
  NODE_ENV: z.string().default('development'),
});

/** At least this long: API keys are bearer secrets compared by hash, never guessable. */
export const API_KEY_MIN_LENGTH = 24;
const KEY_PATTERN = /^[A-Za-z0-9._~+/=-]+$/;

/** The variable holding each role's keys (comma-separated, so a key can be rotated without downtime). */
export const apiKeyVariables: Record<ApiRole, string> = {
  storefront: 'API_KEYS_STOREFRONT',
  billing: 'API_KEYS_BILLING',
  admin: 'API_KEYS_ADMIN',
};

/**
 * Deleted-account tombstones are HMACs under this secret; it must stay stable. Only outside
 * production does the api fall back to a fixed development value (and says so at boot).
 */
export const DEV_EMAIL_HASH_SECRET = 'development-only-email-hash-secret';

/** The payment-instrument digests' secret outside production when PAYMENT_INSTRUMENT_HASH_SECRET is unset. */
export const DEV_PAYMENT_INSTRUMENT_HASH_SECRET = 'development-only-payment-instrument-hash-secret';

export type ApiConfig = z.infer<typeof apiEnvSchema> & {
  /** Keys per role; a role without keys is closed (every request with its endpoints gets 401). */
  API_KEYS: Record<ApiRole, string[]>;
  EMAIL_HASH_SECRET: string;
  /** HMAC secret of the payment-instrument claims (Kilo rules 176-184). */
  PAYMENT_INSTRUMENT_HASH_SECRET: string;
  /** What fell back to a development default, for one warning at boot (names only, never values). */
  warnings: string[];
};

/**
 * Secrets are parsed here rather than by parseEnv, whose messages quote the offending value: a
 * malformed key must be named, never printed.
 */
function readKeys(env: NodeJS.ProcessEnv, role: ApiRole): string[] {
  const variable = apiKeyVariables[role];
  const raw = env[variable]?.trim();
  if (!raw) return [];
  const keys = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
  for (const key of keys) {
    if (key.length < API_KEY_MIN_LENGTH || !KEY_PATTERN.test(key)) {
      throw new ConfigError(variable, `must be comma-separated keys of at least ${API_KEY_MIN_LENGTH} URL-safe characters (value not shown)`);
    }
  }
  return keys;
}

/** Reads the api's configuration; throws a ConfigError naming the first bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const base = parseEnv(apiEnvSchema, env);
  const production = base.NODE_ENV === 'production';
  const warnings: string[] = [];
  const keys = Object.fromEntries(API_ROLES.map((role) => [role, readKeys(env, role)])) as Record<ApiRole, string[]>;
  const all = API_ROLES.flatMap((role) => keys[role]);
  if (new Set(all).size !== all.length) {
    // One key, one role: otherwise a storefront key could open admin endpoints.
    throw new ConfigError('API_KEYS_*', 'a key is listed twice or under two roles (values not shown)');
  }
  for (const role of API_ROLES) if (keys[role].length === 0) warnings.push(`${apiKeyVariables[role]} is not set: ${role} endpoints answer 401`);

  const emailHashSecret = readSecret(env, 'EMAIL_HASH_SECRET', DEV_EMAIL_HASH_SECRET, production, warnings);
  const instrumentHashSecret = readSecret(env, 'PAYMENT_INSTRUMENT_HASH_SECRET', DEV_PAYMENT_INSTRUMENT_HASH_SECRET, production, warnings);
  return { ...base, API_KEYS: keys, EMAIL_HASH_SECRET: emailHashSecret, PAYMENT_INSTRUMENT_HASH_SECRET: instrumentHashSecret, warnings };
}

/** An HMAC secret: required in production, a development value with a warning elsewhere; never echoed. */
function readSecret(env: NodeJS.ProcessEnv, variable: string, developmentValue: string, production: boolean, warnings: string[]): string {
  const secret = env[variable]?.trim() ?? '';
  if (secret === '') {
    if (production) throw new ConfigError(variable, 'must be set in production (not set)');
    warnings.push(`${variable} is not set: using the development secret (never in production)`);
    return developmentValue;
  }
  if (secret.length < 16) throw new ConfigError(variable, 'must be at least 16 characters (value not shown)');
  return secret;
}
