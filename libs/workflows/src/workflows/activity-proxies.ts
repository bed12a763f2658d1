import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type {
  ConversionActivities,
  DeliveryEndActivities,
  IssuanceBonusActivities,
  MaintenanceActivities,
  RedemptionActivities,
  RegistrationActivities,
  SettingsActivities,
} from '../activities.contract';
import { deliveryHeartbeatTimeoutMs, type WorkflowSettings } from '../settings';

/**
 * Activity proxies shared by the workflows. Impact outcomes come back as answers (the workflow
 * runs its own backoff loop and records every attempt); Temporal's retry policy here only covers
 * infrastructure failures (database unreachable, worker lost mid-activity: see the delivery
 * heartbeats below). Business errors are non-retryable ApplicationFailures thrown by the
 * activities themselves.
 */
const infrastructureRetry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

/** Read once per run; recorded in the history as a marker, so a replay uses the same values. */
export const { loadWorkflowSettings } = proxyLocalActivities<SettingsActivities>({
  startToCloseTimeout: '10 seconds',
  retry: infrastructureRetry,
});

/** Ledger work: one transaction each. */
export const ledger = proxyActivities<IssuanceBonusActivities & MaintenanceActivities>({
  startToCloseTimeout: '1 minute',
  retry: infrastructureRetry,
});

export type DeliveryActivities = RedemptionActivities & RegistrationActivities & ConversionActivities & DeliveryEndActivities;

/**
 * Impact deliveries: one attempt may list, persist, redeem (or submit and poll) within its
 * start-to-close timeout. The activities heartbeat while they work (apps/worker), and the
 * heartbeat timeout comes from the settings: a worker that dies mid-attempt (killed, crashed, out
 * of memory) stops heartbeating, and Temporal retries the attempt on another worker after about
 * the heartbeat timeout instead of waiting out the 2 minutes. A retried attempt is idempotent (the
 * attempt is recorded in impact-sync; a redeem whose answer was lost ends "already redeemed").
 * Built per run, after `loadWorkflowSettings`; a proxy only holds options, so this is deterministic.
 */
export function deliveryActivities(settings: Pick<Partial<WorkflowSettings>, 'deliveryHeartbeatTimeoutMs'>): DeliveryActivities {
  return proxyActivities<DeliveryActivities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: deliveryHeartbeatTimeoutMs(settings),
    retry: infrastructureRetry,
  });
}
