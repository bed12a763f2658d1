import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type {
  ConversionActivities,
  IssuanceBonusActivities,
  MaintenanceActivities,
  RedemptionActivities,
  RegistrationActivities,
  SettingsActivities,
} from '../activities.contract';

/**
 * Activity proxies shared by the workflows. Impact outcomes come back as answers (the workflow
 * runs its own backoff loop and records every attempt); Temporal's retry policy here only covers
 * infrastructure failures (database unreachable, worker lost mid-activity). Business errors are
 * non-retryable ApplicationFailures thrown by the activities themselves.
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

/** Impact deliveries: one attempt may list, persist, redeem (or submit and poll) within its timeout. */
export const delivery = proxyActivities<RedemptionActivities & RegistrationActivities & ConversionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: infrastructureRetry,
});
