import { ActivityFailure, ApplicationFailure, isCancellation, sleep, workflowInfo } from '@temporalio/workflow';
import {
  type AttemptContext,
  type DeliveryAttemptResult,
  type DeliveryFailure,
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
  /** Ends the delivery `failed` after an attempt threw (`failDeliveryAfterError`). */
  fail(input: { kind: DeliveryProgress['kind']; businessId: string; attempt: number; error: DeliveryFailure }): Promise<DeliveryResult>;
}

/** A business error an attempt threw, as the delivery's error (its code is the failure's type). */
function failureOf(error: ActivityFailure): DeliveryFailure {
  const cause = error.cause;
  const code = cause instanceof ApplicationFailure && cause.type ? cause.type : 'activity_failed';
  return { code: code.slice(0, 100), message: (cause?.message ?? error.message).slice(0, 1000), httpStatus: null };
}

/**
 * The retry loop every Impact delivery shares: attempt, and while the attempt answers `retrying`,
 * sleep (a durable timer) for the time the activity recorded as the next attempt, then try again.
 * Capped exponential backoff comes from the settings; Impact's Retry-After can only lengthen it.
 * Ends with the delivery's result (succeeded, failed, disabled or suppressed). An attempt that
 * throws a business error (Temporal retries only infrastructure failures, so such an error is
 * final) ends the delivery `failed` with it: a delivery never stays `pending` under a failed workflow.
 */
export async function runDelivery(loop: DeliveryLoop): Promise<DeliveryResult> {
  if (loop.opened.state === 'ended') return loop.opened.result;
  let progress = loop.opened.progress;
  loop.onProgress(progress);
  let attempt = Math.max(loop.resumeAtAttempt ?? 1, loop.opened.progress.attempts + 1);
  for (let inThisRun = 0; ; inThisRun++, attempt++) {
    if (inThisRun >= loop.settings.attemptsPerRun || workflowInfo().continueAsNewSuggested) {
      return loop.continueAsNewAt(attempt);
    }
    let result: DeliveryAttemptResult;
    try {
      result = await loop.attempt({ attempt, retryDelayMs: retryDelayMs(attempt, loop.settings.delivery) });
    } catch (error) {
      if (!(error instanceof ActivityFailure) || isCancellation(error)) throw error;
      return loop.fail({ kind: progress.kind, businessId: progress.businessId, attempt, error: failureOf(error) });
    }
    if (result.state === 'ended') return result.result;
    progress = result.progress;
    loop.onProgress(progress);
    await sleep(result.retryInMs);
  }
}
