import type { DeliveryKind, DeliveryStatus } from './domain-types';

/** Why an attempt did not succeed (stable snake_case code, as stored in impact-sync). */
export interface DeliveryFailure {
  code: string;
  message: string;
  httpStatus: number | null;
}

/** Where a delivery stands (what the workflow's `deliveryProgress` query answers). */
export interface DeliveryProgress {
  kind: DeliveryKind;
  businessId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: DeliveryFailure | null;
  /** ISO 8601; set while retrying. */
  nextAttemptAt: string | null;
}

/** How a delivery ended: what every delivery workflow returns. */
export interface DeliveryResult {
  kind: DeliveryKind;
  businessId: string;
  status: 'succeeded' | 'failed' | 'disabled' | 'suppressed';
  attempts: number;
  /** The permanent (or disabled) error; null on success and suppression. */
  error: DeliveryFailure | null;
  /** Kind-specific facts: referral code, action id, credit redeemed, why suppressed... */
  details: Record<string, unknown>;
}

/** What an `open*` activity answers: go on attempting, or the work had already ended. */
export type OpenedDelivery = { state: 'open'; progress: DeliveryProgress } | { state: 'ended'; result: DeliveryResult };

/** What an `attempt*` activity answers: wait `retryInMs` and try again, or the work ended. */
export type DeliveryAttemptResult =
  | { state: 'retrying'; retryInMs: number; progress: DeliveryProgress }
  | { state: 'ended'; result: DeliveryResult };

/** The attempt number (1-based, counted across runs) and the backoff the workflow would wait. */
export interface AttemptContext {
  attempt: number;
  /** The workflow's capped backoff for this attempt; the activity waits at least Impact's Retry-After. */
  retryDelayMs: number;
}
