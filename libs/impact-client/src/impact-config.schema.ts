import { ConfigError, productKeySchema } from '@referrals/config';
import { z } from 'zod';

/**
 * Impact configuration, per product. Each product carries its own Advocate program and its own
 * Performance account; a product without a section is *disabled* for that API. There is no
 * default program and no lookup by anything but the exact product key, so one product can never
 * borrow another's configuration (Kilo Pass must never use KiloClaw's).
 */

/**
 * How the client authenticates to Advocate (sources disagree, see impact-api.md §1):
 * - `empty_username_api_key`: documented form, `Basic base64(":" + authToken)`;
 * - `account_sid_auth_token`: what a production integration sends, `Basic base64(accountSid + ":" + authToken)`.
 */
export const advocateAuthStyleSchema = z.enum(['empty_username_api_key', 'account_sid_auth_token']);
export type AdvocateAuthStyle = z.infer<typeof advocateAuthStyleSchema>;

const secret = z.string().trim().min(1, 'must not be empty');
/** Path segment safe identifiers (tenant aliases, program ids): never URL-encoded surprises. */
const slug = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -'));
const numericId = z
  .union([z.string(), z.number().int().positive()])
  .transform(String)
  .pipe(z.string().regex(/^\d+$/, 'must be a numeric id'));
const baseUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .default(fallback)
    // A trailing slash would double up when paths are appended.
    .transform((url) => url.replace(/\/+$/, ''));

export const ADVOCATE_DEFAULT_BASE_URL = 'https://app.referralsaasquatch.com';
export const PERFORMANCE_DEFAULT_BASE_URL = 'https://api.impact.com';

export const advocateProgramConfigSchema = z
  .strictObject({
    tenantAlias: slug,
    /** Advocate account SID: Basic username in one auth style and the token's `kid`. */
    accountSid: secret,
    /** Advocate auth token / tenant API key: Basic password and the Verified Access signing key. */
    authToken: secret,
    authStyle: advocateAuthStyleSchema.default('account_sid_auth_token'),
    programId: slug,
    /** Defaults to `p/{programId}/w/referrerWidget`. */
    widgetId: z.string().trim().min(1).optional(),
    /** Advocate reward unit to select and redeem (`MONTH`, `CENTS`, a custom unit such as `USD`). */
    rewardUnit: z.string().trim().min(1, 'must not be empty'),
    /**
     * Decimal places of one reward unit in local minor units. The documented redeem schema takes an
     * integer amount (0); a production integration redeems decimal USD for a custom unit (2: local
     * 1999 cents are sent as 19.99).
     */
    rewardUnitDecimals: z.number().int().min(0).max(4).default(0),
    baseUrl: baseUrl(ADVOCATE_DEFAULT_BASE_URL),
  })
  .transform((c) => ({ ...c, widgetId: c.widgetId ?? `p/${c.programId}/w/referrerWidget` }));

export const conversionEventSchema = z.enum(['VISIT', 'SIGNUP', 'TRIAL_START', 'TRIAL_END', 'SALE']);
export type ConversionEvent = z.infer<typeof conversionEventSchema>;

export const performanceConfigSchema = z.strictObject({
  accountSid: secret,
  authToken: secret,
  campaignId: numericId,
  /**
   * Action tracker per event. No defaults on purpose: tracker ids belong to one campaign, and a
   * default would make a product report into another product's campaign. An event without a
   * tracker is disabled for the product.
   */
  actionTrackerIds: z.partialRecord(conversionEventSchema, numericId).default({}),
  baseUrl: baseUrl(PERFORMANCE_DEFAULT_BASE_URL),
});


export const productImpactConfigSchema = z.strictObject({
  advocate: advocateProgramConfigSchema.optional(),
  performance: performanceConfigSchema.optional(),
});

export const impactConfigSchema = z.strictObject({
  products: z.record(productKeySchema, productImpactConfigSchema).default({}),
  /** Per-request timeout; a call may override it. */
  timeoutMs: z.number().int().positive().max(120_000).default(10_000),
});

export type AdvocateProgramConfig = z.output<typeof advocateProgramConfigSchema>;
export type PerformanceConfig = z.output<typeof performanceConfigSchema>;
export type ProductImpactConfig = z.output<typeof productImpactConfigSchema>;
export type ImpactConfig = z.output<typeof impactConfigSchema>;
export type ImpactConfigInput = z.input<typeof impactConfigSchema>;

/**
 * Validates a configuration object. Fails with one {@link ConfigError} naming the path of the
 * first problem (`products.kilo_pass.advocate.programId must be ...`); values are never echoed,
 * since most of them are secrets.
 */
export function parseImpactConfig(input: unknown): ImpactConfig {
  const result = impactConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const where = issue?.path.length ? issue.path.join('.') : 'impact configuration';
  throw new ConfigError(where, issue?.message ?? 'is invalid');
}

const ADVOCATE_ENV_FIELDS = [
  'tenantAlias',
  'accountSid',
  'authToken',
  'authStyle',
  'programId',
  'widgetId',
  'rewardUnit',
  'rewardUnitDecimals',
  'baseUrl',
] as const;
const PERFORMANCE_ENV_FIELDS = ['accountSid', 'authToken', 'campaignId', 'baseUrl'] as const;
const NUMERIC_ENV_FIELDS = new Set(['rewardUnitDecimals']);

const envName = (prefix: string, field: string) => `${prefix}_${field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/**
 * Reads the configuration of the given products from environment variables:
 * `IMPACT_<PRODUCT>_ADVOCATE_<FIELD>` (TENANT_ALIAS, ACCOUNT_SID, AUTH_TOKEN, AUTH_STYLE, PROGRAM_ID,
 * WIDGET_ID, REWARD_UNIT, REWARD_UNIT_DECIMALS, BASE_URL), `IMPACT_<PRODUCT>_PERFORMANCE_<FIELD>`
 * (ACCOUNT_SID, AUTH_TOKEN, CAMPAIGN_ID, BASE_URL, ACTION_TRACKER_<EVENT>) and `IMPACT_TIMEOUT_MS`.
 *
 * A section with no variable set is absent (the product is disabled for that API). A section with
 * some variables set must be complete: a half-configured product fails at boot instead of being
 * silently disabled. Errors name the variable.
 */
export function impactConfigFromEnv(env: NodeJS.ProcessEnv, products: readonly string[]): ImpactConfig {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const config: Record<string, Record<string, unknown>> = {};
  const varOf = new Map<string, string>();

  for (const product of products) {
    const productPrefix = `IMPACT_${product.toUpperCase()}`;
    const section = (name: 'advocate' | 'performance', fields: readonly string[]) => {
      const prefix = `${productPrefix}_${name.toUpperCase()}`;
      const values: Record<string, unknown> = {};
      for (const field of fields) {
        const variable = envName(prefix, field);
        varOf.set(`products.${product}.${name}.${field}`, variable);
        const raw = read(variable);
        if (raw !== undefined) values[field] = NUMERIC_ENV_FIELDS.has(field) && /^\d+$/.test(raw) ? Number(raw) : raw;
      }
      if (name === 'performance') {
        const trackers: Record<string, string> = {};
        for (const event of conversionEventSchema.options) {
          const variable = `${prefix}_ACTION_TRACKER_${event}`;
          varOf.set(`products.${product}.performance.actionTrackerIds.${event}`, variable);
          const raw = read(variable);
          if (raw !== undefined) trackers[event] = raw;
        }
        if (Object.keys(trackers).length > 0) values['actionTrackerIds'] = trackers;
      }
      return Object.keys(values).length > 0 ? values : undefined;
    };
    const advocate = section('advocate', ADVOCATE_ENV_FIELDS);
    const performance = section('performance', PERFORMANCE_ENV_FIELDS);
    if (advocate || performance) config[product] = { advocate, performance };
  }

  const timeout = read('IMPACT_TIMEOUT_MS');
  const result = impactConfigSchema.safeParse({
    products: config,
    ...(timeout === undefined ? {} : { timeoutMs: /^\d+$/.test(timeout) ? Number(timeout) : timeout }),
  });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const path = issue?.path.join('.') ?? '';
  const variable =
    path === 'timeoutMs'
      ? 'IMPACT_TIMEOUT_MS'
      : (varOf.get(path) ?? `IMPACT_${String(issue?.path[1] ?? '').toUpperCase()}_${String(issue?.path[2] ?? '').toUpperCase()}`);
  const problem = read(variable) === undefined ? 'must be set' : (issue?.message ?? 'is invalid');
  throw new ConfigError(variable, problem);
}

/**
 * The inverse of {@link impactConfigFromEnv}: the environment variables that configure `config`
 * (`{ products: { kilo_pass: { advocate: { tenantAlias } } } }` ->
 * `IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS`), for a parent process that hands a configuration to a
 * child (the dev stack's fake Impact, tests running the worker process). Reading them back with
 * the products' keys gives the same parsed configuration. The values include secrets: pass them to
 * a child's environment, never to a log.
 */
export function impactConfigToEnv(config: ImpactConfigInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [product, sections] of Object.entries(config.products ?? {})) {
    const productPrefix = `IMPACT_${product.toUpperCase()}`;
    const write = (name: 'advocate' | 'performance', values: Record<string, unknown> | undefined, fields: readonly string[]) => {
      if (!values) return;
      const prefix = `${productPrefix}_${name.toUpperCase()}`;
      for (const field of fields) {
        const value = values[field];
        if (value !== undefined) env[envName(prefix, field)] = String(value);
      }
      if (name === 'performance') {
        for (const [event, id] of Object.entries((values['actionTrackerIds'] ?? {}) as Record<string, unknown>)) {
          if (id !== undefined) env[`${prefix}_ACTION_TRACKER_${event}`] = String(id);
        }
      }
    };
    write('advocate', sections?.advocate, ADVOCATE_ENV_FIELDS);
    write('performance', sections?.performance, PERFORMANCE_ENV_FIELDS);
  }
  if (config.timeoutMs !== undefined) env['IMPACT_TIMEOUT_MS'] = String(config.timeoutMs);
  return env;
}

/** The identifiers a Verified Access widget needs; safe to send to a browser. */
export interface WidgetConfig {
  tenantAlias: string;
  programId: string;
  widgetId: string;
}
