import {
  ensureDelivery,
  getDelivery,
  isTerminalDeliveryStatus,
  recordDeliveryAttempt,
  type Delivery,
  type DeliveryKind,
  type EnsureDeliveryInput,
} from '@referrals/impact-sync';
import { type ImpactAlreadyRedeemed, type ImpactOutcome } from '@referrals/impact-client';
import {
  type AttemptContext,
  type DeliveryAttemptResult,
  type DeliveryEndActivities,
  type DeliveryFailure,
  type DeliveryProgress,
  type DeliveryResult,
  DEFAULT_DELIVERY_MAX_AGE_MS,
  type OpenedDelivery,
} from '@referrals/workflows';
import { asyncLocalStorage } from '@temporalio/activity';
import { type Sequelize } from 'sequelize';
import { businessFailure } from './activity-errors';
import { type ActivityDeps } from './activity-deps';
import { deliveryActivityBody } from './heartbeats';

/** The current activity's cancellation signal (none when called outside an activity, e.g. in tests). */
export function activityCancellationSignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

export function progressOf(delivery: Delivery): DeliveryProgress {
  return {
    kind: delivery.kind,
    businessId: delivery.businessId,
    status: delivery.status,
    attempts: delivery.attempts,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
  };
}

/** A terminal delivery as the workflow's result (external ids folded into `details`). */
export function resultOf(delivery: Delivery): DeliveryResult {
  const status = delivery.status;
  if (!isTerminalDeliveryStatus(status)) throw new Error(`delivery ${delivery.kind} ${delivery.businessId} is still ${status}`);
  const details: Record<string, unknown> = { ...delivery.details };
  if (delivery.chosenImpactRewardId) details['chosenImpactRewardId'] = delivery.chosenImpactRewardId;
  if (delivery.impactActionId) details['impactActionId'] = delivery.impactActionId;
  if (delivery.impactOrderId) details['impactOrderId'] = delivery.impactOrderId;
  return {
    kind: delivery.kind,
    businessId: delivery.businessId,
    status,
    attempts: delivery.attempts,
    error: status === 'failed' || status === 'disabled' ? delivery.lastError : null,
    details,
  };
}

export function openedOf(delivery: Delivery): OpenedDelivery {
  return isTerminalDeliveryStatus(delivery.status) ? { state: 'ended', result: resultOf(delivery) } : { state: 'open', progress: progressOf(delivery) };
}

/** Records the work once (pending) and says whether there is anything left to attempt. */
export async function openDelivery(sequelize: Sequelize, input: EnsureDeliveryInput): Promise<OpenedDelivery> {
  const { delivery } = await ensureDelivery(sequelize, input);
  return openedOf(delivery);
}

/** The delivery an attempt is about; it must have been opened first. */
export async function deliveryToAttempt(sequelize: Sequelize, kind: DeliveryKind, businessId: string): Promise<Delivery> {
  const delivery = await getDelivery(sequelize, kind, businessId);
  if (!delivery) throw businessFailure('delivery_not_found', `no ${kind} delivery for ${businessId}: open it before attempting`, { kind, businessId });
  return delivery;
}

/** How one attempt ended, before it is recorded. */
export type AttemptEnd =
  | { outcome: 'succeeded'; details?: Record<string, unknown>; impactActionId?: string | null; queuedUri?: null }
  | { outcome: 'retrying'; error: DeliveryFailure; retryAfterMs?: number; queuedUri?: string | null }
  | { outcome: 'failed' | 'disabled'; error: DeliveryFailure }
  | { outcome: 'suppressed'; reason: string };

/** An Impact client outcome as an attempt end (the caller supplies what a success records). */
export function endOfImpactOutcome<T>(
  outcome: ImpactOutcome<T> | ImpactAlreadyRedeemed,
  onSuccess: (outcome: Extract<ImpactOutcome<T> | ImpactAlreadyRedeemed, { kind: 'ok' | 'already_redeemed' }>) => AttemptEnd,
): AttemptEnd {
  switch (outcome.kind) {
    case 'ok':
    case 'already_redeemed':
      return onSuccess(outcome);
    case 'transient':
      return {
        outcome: 'retrying',
        error: { code: outcome.code, message: outcome.message, httpStatus: outcome.httpStatus ?? null },
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      };
    case 'permanent':
      return { outcome: 'failed', error: { code: outcome.code, message: outcome.message, httpStatus: outcome.httpStatus ?? null } };
    case 'disabled':
      return { outcome: 'disabled', error: { code: outcome.code, message: outcome.message, httpStatus: null } };
  }
}

/**
 * A delivery still failing past its maximum age (counted from its creation, or from an operator's
 * last requeue) ends `failed` with `max_age_exceeded` instead of retrying for ever: an operator sees
 * it in ops, fixes the cause and requeues it.
 */
export function endPastMaxAge(delivery: Pick<Delivery, 'createdAt' | 'requeuedAt'>, now: Date, maxAgeMs: number, end: AttemptEnd): AttemptEnd {
  if (end.outcome !== 'retrying') return end;
  const since = delivery.requeuedAt ?? delivery.createdAt;
  if (now.getTime() - since.getTime() < maxAgeMs) return end;
  const days = Math.round((maxAgeMs / 86_400_000) * 10) / 10;
  return {
    outcome: 'failed',
    error: { code: 'max_age_exceeded', message: `still not delivered ${days} days after it was queued; last error: ${end.error.code}: ${end.error.message}`.slice(0, 1000), httpStatus: end.error.httpStatus },
  };
}

/**
 * Records an attempt's end in impact-sync and answers the workflow: `retrying` with the wait (the
 * workflow's backoff, lengthened to Impact's Retry-After) or `ended` with the result. The next
 * attempt time recorded is exactly when the workflow's timer fires. A delivery past its maximum
 * age ends `failed` ({@link endPastMaxAge}).
 */
export async function recordAttemptEnd(
  deps: Pick<ActivityDeps, 'sequelize' | 'clock' | 'settings'>,
  current: Delivery,
  requestId: string | undefined,
  context: AttemptContext,
  attemptEnd: AttemptEnd,
): Promise<DeliveryAttemptResult> {
  const { sequelize } = deps;
  const now = deps.clock();
  const end = endPastMaxAge(current, now, deps.settings.deliveryMaxAgeMs ?? DEFAULT_DELIVERY_MAX_AGE_MS, attemptEnd);
  const work = { kind: current.kind, businessId: current.businessId, requestId };
  const retryInMs = end.outcome === 'retrying' ? Math.max(context.retryDelayMs, end.retryAfterMs ?? 0) : 0;
  const common = { kind: work.kind, businessId: work.businessId, attempt: context.attempt, now, requestId: work.requestId ?? null };
  const { delivery } = await recordDeliveryAttempt(
    sequelize,
    end.outcome === 'succeeded'
      ? {
          ...common,
          outcome: 'succeeded',
          details: end.details ?? {},
          impactActionId: end.impactActionId ?? null,
          ...(end.queuedUri === null ? { queuedUri: null } : {}),
        }
      : end.outcome === 'retrying'
        ? {
            ...common,
            outcome: 'retrying',
            error: end.error,
            nextAttemptAt: new Date(now.getTime() + retryInMs),
            ...(end.queuedUri !== undefined ? { queuedUri: end.queuedUri } : {}),
          }
        : end.outcome === 'suppressed'
          ? { ...common, outcome: 'suppressed', details: { suppressedReason: end.reason } }
          : { ...common, outcome: end.outcome, error: end.error },
  );
  if (isTerminalDeliveryStatus(delivery.status)) return { state: 'ended', result: resultOf(delivery) };
  return { state: 'retrying', retryInMs: Math.max(retryInMs, context.retryDelayMs), progress: progressOf(delivery) };
}

/**
 * `failDeliveryAfterError`: an attempt threw a business error; the delivery ends `failed` with it
 * (recorded as that attempt). A delivery that had ended already keeps its end.
 */
export function createDeliveryEndActivities(deps: Pick<ActivityDeps, 'sequelize' | 'clock'>): DeliveryEndActivities {
  return {
    failDeliveryAfterError: ({ kind, businessId, attempt, error }) =>
      deliveryActivityBody(async () => {
        const current = await deliveryToAttempt(deps.sequelize, kind, businessId);
        if (isTerminalDeliveryStatus(current.status)) return resultOf(current);
        const { delivery } = await recordDeliveryAttempt(deps.sequelize, { kind, businessId, attempt: Math.max(attempt, current.attempts), outcome: 'failed', error, now: deps.clock() });
        return resultOf(delivery);
      }),
  };
}
