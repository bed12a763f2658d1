/** The qualifying events rewarding decides, as the host sends them (the api's parsed request bodies). */

export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** `payment.succeeded`: a paid invoice of a subscription product. Identity: provider + sourcePaymentId. */
export interface PaymentSucceededEvent {
  readonly type: 'payment.succeeded';
  readonly eventId?: string | undefined;
  readonly provider: string;
  readonly sourcePaymentId: string;
  readonly product: string;
  readonly userId: string;
  readonly email?: string | undefined;
  readonly paidAt: string;
  readonly amount: Money;
  readonly sequence: number;
  readonly subscription: {
    readonly id?: string | undefined;
    readonly tier: string;
    readonly interval: 'monthly' | 'yearly';
    readonly kind: 'personal' | 'team';
    readonly startedAt: string;
    /** Optional: must equal the product's price table when given. */
    readonly monthlyPrice?: Money | undefined;
    /**
     * The host states the user had another subscription of the product before this one (one the
     * engine never saw, e.g. from before it was deployed). The engine's own history counts too.
     */
    readonly hadEarlierSubscription?: boolean | undefined;
  };
  readonly promoCode?: string | undefined;
  /**
   * Who made the payment (Kilo rules 69, 173): `customer` (the default), or a `test`, an
   * `admin_created` payment or a `manual_adjustment`, which reward nobody and are not reported to
   * Impact unless an operator marked the conversion eligible before.
   */
  readonly origin?: PaymentOrigin | undefined;
  readonly facts?: Record<string, unknown> | undefined;
  /**
   * The method that settled the payment (Kilo rules 176-184): its type (`card`, `sepa_debit`...,
   * or `unknown` when billing could not resolve it: not an eligible settlement) and, when the
   * provider gives one, the reusable instrument's fingerprint (only its HMAC is kept). Absent: a
   * host that does not report methods; the guard does not apply.
   */
  readonly paymentMethod?: PaymentMethod | undefined;
}

export interface PaymentMethod {
  readonly type: string;
  readonly fingerprint?: string | undefined;
}

/** The method type billing sends when it cannot resolve the payment's method. */
export const UNRESOLVED_PAYMENT_METHOD = 'unknown';

export const PAYMENT_ORIGINS = ['customer', 'test', 'admin_created', 'manual_adjustment'] as const;
export type PaymentOrigin = (typeof PAYMENT_ORIGINS)[number];

/** `lesson.completed`: a completed lesson of a marketplace product. Identity: eventId. */
export interface LessonCompletedEvent {
  readonly type: 'lesson.completed';
  readonly eventId: string;
  readonly product: string;
  readonly userId: string;
  readonly completedAt: string;
  readonly eventSequence?: number | undefined;
  readonly lesson: {
    readonly id: string;
    readonly usdAmount: string | number;
    readonly durationMinutes: number;
    readonly sequence: number;
    readonly isTrial: boolean;
    readonly subject?: string | undefined;
  };
  readonly facts?: Record<string, unknown> | undefined;
}

export type QualifyingEvent = PaymentSucceededEvent | LessonCompletedEvent;

/** The provider under which lesson events are recorded as conversions (they are not payments). */
export const LESSON_EVENTS_PROVIDER = 'lesson-events';
