/**
 * Timings and knobs the workflows read once per run through the `loadWorkflowSettings` activity
 * (the worker builds them from its environment), so they are recorded in the history and replay
 * deterministically, and tests use short ones without time skipping.
 */

/** Capped exponential backoff between delivery attempts. */
export interface RetrySettings {
  /** Wait after the first failed attempt. */
  initialIntervalMs: number;
  /** The wait never grows beyond this (unless Impact asks for longer with Retry-After). */
  maxIntervalMs: number;
  /** Growth factor per attempt (2 doubles the wait). */
  backoffCoefficient: number;
}

/** Heartbeat timeout of the Impact delivery activities when the settings name none (5 seconds). */
export const DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS = 5_000;

/** A delivery's maximum age when the settings name none (14 days). */
export const DEFAULT_DELIVERY_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

export interface WorkflowSettings {
  /** Impact deliveries (registrations, SALE reports, reversals, redemptions). */
  delivery: RetrySettings;
  /**
   * A delivery still failing this long after it was queued (or last requeued) ends `failed`
   * (`max_age_exceeded`); absent in settings recorded before it existed: 14 days.
   */
  deliveryMaxAgeMs?: number;
  /** A delivery workflow continues as new after this many attempts in one run (bounded history). */
  attemptsPerRun: number;
  /**
   * Heartbeat timeout of the Impact delivery activities (`open*` / `attempt*`): they heartbeat
   * while they work, so an attempt whose worker died (killed, crashed, out of memory) is retried
   * by another worker about this long after its last heartbeat, not after the 2-minute
   * start-to-close timeout. Histories recorded before this setting existed read
   * {@link DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS} (see {@link deliveryHeartbeatTimeoutMs}).
   */
  deliveryHeartbeatTimeoutMs: number;
  /** How long an issuance-bonus workflow started by a usage signal waits for the issuance facts. */
  issuanceFactsWaitMs: number;
  /** Rewards one expiry transaction expires at most, and how many batches one run takes. */
  expireBatchSize: number;
  expireMaxBatches: number;
  /** Redemption workflows one backfill run starts at most. */
  backfillBatchSize: number;
  /**
   * Retention of touches that never attributed anything (days), and the purge's batch size and
   * batches per run; absent in settings recorded before they existed (see `touchRetentionOf`).
   */
  touchRetentionDays?: number;
  purgeTouchesBatchSize?: number;
  purgeTouchesMaxBatches?: number;
}

/** Touches that never attributed anything are kept this long when the settings name no period. */
export const DEFAULT_TOUCH_RETENTION_DAYS = 90;

/** The retention knobs of the touch purge, with defaults for settings that predate them. */
export function touchRetentionOf(settings: Pick<WorkflowSettings, 'touchRetentionDays' | 'purgeTouchesBatchSize' | 'purgeTouchesMaxBatches'>) {
  return {
    retentionDays: settings.touchRetentionDays ?? DEFAULT_TOUCH_RETENTION_DAYS,
    batchSize: settings.purgeTouchesBatchSize ?? 1_000,
    maxBatches: settings.purgeTouchesMaxBatches ?? 20,
  };
}

/**
 * The wait after failed attempt `attempt` (1-based): initial * coefficient^(attempt-1), capped.
 */
export function retryDelayMs(attempt: number, retry: RetrySettings): number {
  const exponent = Math.max(0, attempt - 1);
  const raw = retry.initialIntervalMs * Math.pow(Math.max(1, retry.backoffCoefficient), exponent);
  return Math.round(Math.min(retry.maxIntervalMs, Number.isFinite(raw) ? raw : retry.maxIntervalMs));
}

/**
 * The heartbeat timeout of the delivery activities: the settings' value, or the default when the
 * settings (read from an older history) have none.
 */
export function deliveryHeartbeatTimeoutMs(settings: { deliveryHeartbeatTimeoutMs?: number | undefined }): number {
  const value = settings.deliveryHeartbeatTimeoutMs;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS;
}
