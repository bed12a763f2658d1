import { eventTimeIssues, type EventTimeField } from '@referrals/config';
import { type IssuanceCreatedEvent, type UsageThresholdCrossedEvent } from './issuance-events';
import { type AdversePaymentNotice } from './adverse-notices';
import { type QualifyingEvent } from './qualifying-events';
import { type RewardingDeps } from './record-qualifying-event';
import { RewardingError } from './rewarding.errors';

/*
 * The instants each billing event carries, checked against the server's clock before anything is
 * written (see @referrals/config `eventTimeIssues`): a payment, lesson, adverse notice or usage
 * crossing dated more than the skew ahead, or anything before 2000, is refused with the field.
 */

/** The host-sent instants of a qualifying event (a payment's subscription start is one too). */
export function qualifyingEventTimes(event: QualifyingEvent): EventTimeField[] {
  return event.type === 'payment.succeeded'
    ? [
        { path: 'paidAt', value: event.paidAt },
        { path: 'subscription.startedAt', value: event.subscription.startedAt },
      ]
    : [{ path: 'completedAt', value: event.completedAt }];
}

export const adverseNoticeTimes = (notice: AdversePaymentNotice): EventTimeField[] => [{ path: 'occurredAt', value: notice.occurredAt }];

/** The period's end and a launch cutoff may lie ahead; only their lower bound applies. */
export const issuanceCreatedTimes = (event: IssuanceCreatedEvent): EventTimeField[] => [
  { path: 'issuanceCreatedAt', value: event.issuanceCreatedAt },
  { path: 'periodEndsAt', value: event.periodEndsAt, past: false },
  { path: 'subscriberStartedAt', value: event.subscriberStartedAt },
];

export const usageThresholdTimes = (event: UsageThresholdCrossedEvent): EventTimeField[] => [{ path: 'crossedAt', value: event.crossedAt }];

/** Throws `time_in_future` / `time_too_old` (the first refused instant's code) listing every refused instant. */
export function checkEventTimes(deps: Pick<RewardingDeps, 'clock' | 'maxFutureSkewMs'>, operation: string, fields: readonly EventTimeField[]): void {
  const issues = eventTimeIssues(fields, { now: (deps.clock ?? (() => new Date()))(), maxFutureSkewMs: deps.maxFutureSkewMs });
  const [first] = issues;
  if (!first) return;
  throw new RewardingError(first.code, `${operation}: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { issues });
}
