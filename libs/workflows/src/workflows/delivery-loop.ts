import { sleep, workflowInfo } from '@temporalio/workflow';
import {
  type AttemptContext,
  type DeliveryAttemptResult,
  type DeliveryProgress,
  type DeliveryResult,
  type OpenedDelivery,
} from '../contracts/delivery.contract';
import { retryDelayMs, type WorkflowSettings } from '../settings';

export interface DeliveryLoop {
  opened: OpenedDelivery;
  settings: WorkflowSettings;
  /** Set by a continued-as-new run: the attempt to resume at. */
  resumeAtAttempt?: number | undefined;
  attempt(context: AttemptContext): Promise<DeliveryAttemptResult>;
  /** Continues as new at this attempt (bounded history for long outages). */
  continueAsNewAt(attempt: number): Promise<never>;
  onProgress(progress: DeliveryProgress): void;
}

/**
 * The retry loop every Impact delivery shares: attempt, and while the attempt answers `retrying`,
 * sleep (a durable timer) for the time the activity recorded as the next attempt, then try again.
 * Capped exponential backoff comes from the settings; Impact's Retry-After can only lengthen it.
 * Ends with the delivery's result (succeeded, failed, disabled or suppressed).
 */
export async function runDelivery(loop: DeliveryLoop): Promise<DeliveryResult> {
  if (loop.opened.state === 'ended') return loop.opened.result;
  loop.onProgress(loop.opened.progress);
  let attempt = Math.max(loop.resumeAtAttempt ?? 1, loop.opened.progress.attempts + 1);
  for (let inThisRun = 0; ; inThisRun++, attempt++) {
    if (inThisRun >= loop.settings.attemptsPerRun || workflowInfo().continueAsNewSuggested) {
      return loop.continueAsNewAt(attempt);
    }
    const result = await loop.attempt({ attempt, retryDelayMs: retryDelayMs(attempt, loop.settings.delivery) });
    if (result.state === 'ended') return result.result;
    loop.onProgress(result.progress);
    await sleep(result.retryInMs);
  }
}
