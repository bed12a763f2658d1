import { asyncLocalStorage } from '@temporalio/activity';
import { withBusinessErrors } from './activity-errors';

/**
 * How often an activity records a heartbeat for a heartbeat timeout: a quarter of it, between
 * 100 ms and 1 s. The SDK sends at most one heartbeat per 80% of the timeout to the server (the
 * latest recorded one), so recording often keeps the server's timer fresh without extra calls.
 */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * Runs an activity body while heartbeating: once at the start, then on an interval until the
 * body settles (an Impact call still pending, a poll, a slow query). A worker that dies stops
 * heartbeating and Temporal retries the attempt elsewhere after the heartbeat timeout; heartbeats
 * also deliver a cancellation from the server to the activity's cancellation signal (which cuts
 * the Impact call). Does nothing outside an activity (tests calling the activities directly) or
 * when the activity was scheduled without a heartbeat timeout (the SDK says not to heartbeat then).
 */
export async function withHeartbeats<T>(body: () => Promise<T>): Promise<T> {
  const context = asyncLocalStorage.getStore();
  const timeoutMs = context?.info.heartbeatTimeoutMs;
  if (!context || !timeoutMs) return body();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), heartbeatIntervalMs(timeoutMs));
  try {
    return await body();
  } finally {
    clearInterval(timer);
  }
}

/**
 * An Impact delivery activity's body (the `open*` / `attempt*` activities, whose workflow proxy
 * sets the heartbeat timeout): heartbeating while it runs, business errors mapped as everywhere.
 */
export function deliveryActivityBody<T>(body: () => Promise<T>): Promise<T> {
  return withHeartbeats(() => withBusinessErrors(body));
}
