import { adverseNoticeTimes, checkEventTimes, issuanceCreatedTimes, qualifyingEventTimes, usageThresholdTimes } from './event-times';
import { type PaymentSucceededEvent } from './qualifying-events';
import { RewardingError } from './rewarding.errors';

const NOW = new Date('2026-12-03T10:00:00Z');
const deps = { clock: () => NOW };
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

const payment = (paidAt: string, startedAt: string): PaymentSucceededEvent => ({
  type: 'payment.succeeded',
  provider: 'stripe',
  sourcePaymentId: 'in_1',
  product: 'kilo_pass',
  userId: 'u1',
  paidAt,
  amount: { minor: 4900, currency: 'USD' },
  sequence: 1,
  subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt },
});

const refusal = (fn: () => unknown): RewardingError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewardingError) return error;
    throw error;
  }
  throw new Error('expected a RewardingError');
};

describe('checkEventTimes', () => {
  it('passes instants up to the skew ahead of the clock', () => {
    expect(() => checkEventTimes(deps, 'payment.succeeded', qualifyingEventTimes(payment(at(300_000), at(-1))))).not.toThrow();
  });

  it('refuses a paidAt past the skew as time_in_future, naming the field, not retryable', () => {
    const error = refusal(() => checkEventTimes(deps, 'payment.succeeded', qualifyingEventTimes(payment(at(300_001), at(0)))));
    expect(error).toMatchObject({ code: 'time_in_future', kind: 'validation', retryable: false });
    expect(error.issues).toEqual([expect.objectContaining({ code: 'time_in_future', path: 'paidAt' })]);
  });

  it('takes the skew from the deps', () => {
    expect(refusal(() => checkEventTimes({ ...deps, maxFutureSkewMs: 1_000 }, 'x', usageThresholdTimes({ issuanceId: 'i', subscriberId: 's', product: 'kilo_pass', crossedAt: at(1_001) }))).code).toBe(
      'time_in_future',
    );
  });

  it('refuses instants before 2000 as time_too_old and lists every refused instant (the first one names the error)', () => {
    const error = refusal(() => checkEventTimes(deps, 'payment.succeeded', qualifyingEventTimes(payment('1999-01-01T00:00:00Z', at(86_400_000)))));
    expect(error.code).toBe('time_too_old');
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([
      ['paidAt', 'time_too_old'],
      ['subscription.startedAt', 'time_in_future'],
    ]);
  });

  it('an issuance period may end ahead, but its creation and the subscriber start may not; an adverse notice is dated in the past', () => {
    const issuance = {
      issuanceId: 'i',
      subscriberId: 's',
      product: 'kilo_pass',
      issuanceCreatedAt: at(0),
      periodEndsAt: at(30 * 86_400_000),
      interval: 'month' as const,
      issuanceNumber: 2,
      firstTimeSubscriber: false,
      subscriberStartedAt: at(-30 * 86_400_000),
      promoLaunchCutoffAt: at(365 * 86_400_000),
    };
    expect(() => checkEventTimes(deps, 'issuance created', issuanceCreatedTimes(issuance))).not.toThrow();
    expect(refusal(() => checkEventTimes(deps, 'issuance created', issuanceCreatedTimes({ ...issuance, issuanceCreatedAt: at(3_600_000) }))).issues).toEqual([
      expect.objectContaining({ code: 'time_in_future', path: 'issuanceCreatedAt' }),
    ]);
    expect(refusal(() => checkEventTimes(deps, 'issuance created', issuanceCreatedTimes({ ...issuance, periodEndsAt: '1970-01-01T00:00:00Z' }))).issues).toEqual([
      expect.objectContaining({ code: 'time_too_old', path: 'periodEndsAt' }),
    ]);
    const notice = { noticeId: 'n', provider: 'stripe', sourcePaymentId: 'in_1', product: 'kilo_pass', kind: 'refund' as const, occurredAt: at(600_000) };
    expect(refusal(() => checkEventTimes(deps, 'adverse payment notice', adverseNoticeTimes(notice))).issues).toEqual([
      expect.objectContaining({ code: 'time_in_future', path: 'occurredAt' }),
    ]);
  });
});
