import { existsSync } from 'node:fs';
import { ConfigError, hostPortVar, logLevelVar, optionalVar, parseEnv, postgresUrlVar } from '@referrals/config';
import { impactConfigFromEnv, type ImpactConfig } from '@referrals/impact-client';
import { loadProductRegistry, type ProductRegistry } from '@referrals/products';
import { DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS, DEFAULT_DELIVERY_MAX_AGE_MS, DEFAULT_TOUCH_RETENTION_DAYS, TASK_QUEUE, type WorkflowSettings } from '@referrals/workflows';
import { z } from 'zod';
import { type ImpactPollingSettings } from './activities';

const HOUR_MS = 3_600_000;

/** A positive whole number from the environment (milliseconds, counts), with a default. */
const positiveIntVar = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive').default(fallback);

const booleanVar = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1')
    .default(fallback);

export const workerEnvSchema = z.object({
  DATABASE_URL: postgresUrlVar,
  TEMPORAL_ADDRESS: hostPortVar.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(TASK_QUEUE),
  LOG_LEVEL: logLevelVar,
  /**
   * The prebuilt workflow bundle (`nx build worker` writes apps/worker/dist/workflow-bundle.js; the
   * production image sets this). Unset: the workflows are bundled from their sources at start.
   */
  WORKFLOW_BUNDLE_PATH: optionalVar.refine((v) => v === undefined || existsSync(v), 'must name an existing file (build it with `npx nx build worker`)'),

  /**
   * Products whose IMPACT_<PRODUCT>_* variables are read; a product without them is disabled.
   * Unset: the products of the products file (PRODUCTS_FILE) whose `impact` is set.
   */
  IMPACT_PRODUCTS: optionalVar.transform((v) => (v === undefined ? undefined : v.split(',').map((p) => p.trim()).filter(Boolean))),
  /** Polls of a queued Performance submission within one attempt, and the wait between them. */
  IMPACT_POLL_MAX_POLLS: positiveIntVar(5),
  IMPACT_POLL_INTERVAL_MS: positiveIntVar(1_000),

  /** Capped exponential backoff of Impact deliveries (registrations, SALEs, reversals, redemptions). */
  DELIVERY_RETRY_INITIAL_INTERVAL_MS: positiveIntVar(5_000),
  DELIVERY_RETRY_MAX_INTERVAL_MS: positiveIntVar(HOUR_MS),
  DELIVERY_RETRY_BACKOFF_COEFFICIENT: z.coerce.number({ message: 'must be a number' }).min(1, 'must be at least 1').default(2),
  /** A delivery workflow continues as new after this many attempts (bounded history). */
  DELIVERY_ATTEMPTS_PER_RUN: positiveIntVar(500),
  /** A delivery still failing this long after it was queued (or requeued) ends failed: 14 days. */
  DELIVERY_MAX_AGE_MS: positiveIntVar(DEFAULT_DELIVERY_MAX_AGE_MS),
  /**
   * Heartbeat timeout of the delivery activities: an attempt whose worker died is retried by
   * another worker about this long after its last heartbeat. At most a minute (an attempt may run
   * for 2 minutes; a longer heartbeat timeout would detect nothing).
   */
  DELIVERY_HEARTBEAT_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1_000, 'must be at least 1000 (the activities heartbeat several times within it)')
    .max(60_000, 'must be at most 60000 (an attempt may run for 2 minutes)')
    .default(DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS),

  /** How long an issuance-bonus workflow started by a usage signal waits for the issuance facts. */
  ISSUANCE_FACTS_WAIT_MS: positiveIntVar(35 * 24 * HOUR_MS),

  /**
   * The outbox relay (Temporal work the api wrote in its transactions): on in every worker by
   * default (several relays share the table safely); it polls the due rows (OUTBOX_POLL_INTERVAL_MS).
   */
  OUTBOX_RELAY_ENABLED: booleanVar(true),
  OUTBOX_POLL_INTERVAL_MS: positiveIntVar(250),
  OUTBOX_BATCH_SIZE: positiveIntVar(50),
  /** Backoff of a row Temporal refused (or did not answer): doubling from the initial to the max. */
  OUTBOX_RETRY_INITIAL_MS: positiveIntVar(500),
  OUTBOX_RETRY_MAX_MS: positiveIntVar(30_000),
  /** How long one start or signal may take before it counts as failed. */
  OUTBOX_CALL_TIMEOUT_MS: positiveIntVar(5_000),

  /** Temporal Schedules created or updated at boot. */
  SCHEDULES_ENABLED: booleanVar(true),
  EXPIRE_REWARDS_INTERVAL_MS: positiveIntVar(HOUR_MS),
  EXPIRE_REWARDS_BATCH_SIZE: positiveIntVar(500),
  EXPIRE_REWARDS_MAX_BATCHES: positiveIntVar(20),
  BACKFILL_REDEMPTIONS_INTERVAL_MS: positiveIntVar(15 * 60_000),
  /** How often the ledger's invariants are verified (verifyLedger; the result shows in ops and /metrics). */
  VERIFY_LEDGER_INTERVAL_MS: positiveIntVar(HOUR_MS),
  BACKFILL_REDEMPTIONS_BATCH_SIZE: positiveIntVar(100),
  /** Retention (issue 15): touches that never attributed anything are deleted this many days after capture. */
  TOUCH_RETENTION_DAYS: positiveIntVar(DEFAULT_TOUCH_RETENTION_DAYS),
  PURGE_TOUCHES_INTERVAL_MS: positiveIntVar(24 * HOUR_MS),
  PURGE_TOUCHES_BATCH_SIZE: positiveIntVar(1_000),
  PURGE_TOUCHES_MAX_BATCHES: positiveIntVar(20),
});

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export interface WorkerConfig extends Omit<WorkerEnv, 'IMPACT_PRODUCTS'> {
  /** IMPACT_PRODUCTS, or the products file's products with an Impact configuration. */
  IMPACT_PRODUCTS: string[];
  /** The products file (PRODUCTS_FILE, else config/products.json). */
  products: ProductRegistry;
  /** Impact per product (IMPACT_<PRODUCT>_ADVOCATE_* / _PERFORMANCE_*); an empty section is disabled. */
  impact: ImpactConfig;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  // The launch cutoff moved to the products file: a deployment still setting it must hear so.
  if (env['PROMO_LAUNCH_CUTOFF_AT']?.trim()) {
    throw new ConfigError('PROMO_LAUNCH_CUTOFF_AT', 'was removed: declare welcomePromoLaunchCutoffAt on the product in the products file (PRODUCTS_FILE)');
  }
  const parsed = parseEnv(workerEnvSchema, env);
  const products = loadProductRegistry(undefined, env);
  const impactProducts = parsed.IMPACT_PRODUCTS ?? [...products.impactProducts()];
  return { ...parsed, IMPACT_PRODUCTS: impactProducts, products, impact: impactConfigFromEnv(env, impactProducts) };
}

/** What the workflows read through `loadWorkflowSettings`. */
export function workflowSettingsOf(config: WorkerEnv): WorkflowSettings {
  return {
    delivery: {
      initialIntervalMs: config.DELIVERY_RETRY_INITIAL_INTERVAL_MS,
      maxIntervalMs: Math.max(config.DELIVERY_RETRY_MAX_INTERVAL_MS, config.DELIVERY_RETRY_INITIAL_INTERVAL_MS),
      backoffCoefficient: config.DELIVERY_RETRY_BACKOFF_COEFFICIENT,
    },
    deliveryMaxAgeMs: config.DELIVERY_MAX_AGE_MS,
    attemptsPerRun: config.DELIVERY_ATTEMPTS_PER_RUN,
    deliveryHeartbeatTimeoutMs: config.DELIVERY_HEARTBEAT_TIMEOUT_MS,
    issuanceFactsWaitMs: config.ISSUANCE_FACTS_WAIT_MS,
    expireBatchSize: Math.min(config.EXPIRE_REWARDS_BATCH_SIZE, 5_000),
    expireMaxBatches: config.EXPIRE_REWARDS_MAX_BATCHES,
    backfillBatchSize: config.BACKFILL_REDEMPTIONS_BATCH_SIZE,
    touchRetentionDays: config.TOUCH_RETENTION_DAYS,
    purgeTouchesBatchSize: Math.min(config.PURGE_TOUCHES_BATCH_SIZE, 10_000),
    purgeTouchesMaxBatches: config.PURGE_TOUCHES_MAX_BATCHES,
  };
}

export function impactPollingOf(config: WorkerEnv): ImpactPollingSettings {
  return { maxPolls: config.IMPACT_POLL_MAX_POLLS, pollIntervalMs: config.IMPACT_POLL_INTERVAL_MS };
}

export function outboxRelaySettingsOf(config: WorkerEnv) {
  return {
    pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    retryInitialMs: config.OUTBOX_RETRY_INITIAL_MS,
    retryMaxMs: Math.max(config.OUTBOX_RETRY_MAX_MS, config.OUTBOX_RETRY_INITIAL_MS),
    callTimeoutMs: config.OUTBOX_CALL_TIMEOUT_MS,
  };
}

export interface ScheduleIntervals {
  expireRewardsMs: number;
  backfillRedemptionsMs: number;
  verifyLedgerMs: number;
  purgeTouchesMs: number;
}

export function scheduleIntervalsOf(config: WorkerEnv): ScheduleIntervals {
  return {
    expireRewardsMs: config.EXPIRE_REWARDS_INTERVAL_MS,
    backfillRedemptionsMs: config.BACKFILL_REDEMPTIONS_INTERVAL_MS,
    verifyLedgerMs: config.VERIFY_LEDGER_INTERVAL_MS,
    purgeTouchesMs: config.PURGE_TOUCHES_INTERVAL_MS,
  };
}
