import { isAttributionError } from '@referrals/attribution';
import { isImpactSyncError } from '@referrals/impact-sync';
import { isLedgerError } from '@referrals/ledger';
import { ApplicationFailure } from '@temporalio/activity';

/**
 * Business errors of the domain libs become ApplicationFailures whose `type` is the lib's stable
 * snake_case code; non-retryable unless the lib says a retry can succeed. Anything else (a
 * database that is down, a lost connection) is rethrown as it is and retried by Temporal.
 */
export function toActivityFailure(error: unknown): unknown {
  if (isLedgerError(error) || isImpactSyncError(error) || isAttributionError(error)) {
    return ApplicationFailure.create({
      type: error.code,
      message: error.message,
      nonRetryable: !error.retryable,
      details: [error.details],
    });
  }
  return error;
}

/** Runs an activity body, mapping business errors to stable non-retryable failures. */
export async function withBusinessErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toActivityFailure(error);
  }
}

/** A failure the worker itself raises, with a stable code. */
export function businessFailure(code: string, message: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}
