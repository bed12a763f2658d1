import { type PaymentInstrumentOutcome } from '@referrals/attribution';
import { createHmac } from 'node:crypto';
import { type Transaction } from 'sequelize';
import { type DecisionCode } from './decision-codes';
import { type RewardingProduct } from './products';
import { type PaymentSucceededEvent, UNRESOLVED_PAYMENT_METHOD } from './qualifying-events';
import { type RewardingDeps } from './record-qualifying-event';

/*
 * The payment-instrument guard (Kilo rules 176-184), the rewarding side: the fingerprint billing
 * sends is turned into a keyed digest here, at once, and only the digest goes on (to attribution's
 * claims, in the event's transaction). The fingerprint is never stored, logged, answered or put
 * in a workflow input.
 */

/** What the payment's answer says of its method: never the instrument, never another account. */
export interface PaymentMethodRecord {
  check: PaymentInstrumentOutcome;
  /** `does_not_apply`: the introductory bonus (welcome promo) is not given for this instrument. */
  introductoryBonus: 'not_blocked' | 'does_not_apply';
  message: string | null;
}

export const INTRODUCTORY_BONUS_DOES_NOT_APPLY = 'The introductory bonus does not apply: this payment method has already been used for it.';

/** HMAC-SHA-256 under the server secret of the method type and the provider's fingerprint (hex). */
export function hashPaymentInstrument(secret: string, methodType: string, fingerprint: string): string {
  return createHmac('sha256', secret).update(`${methodType}\n${fingerprint}`, 'utf8').digest('hex');
}

/**
 * Claims the payment's instrument or reads who claimed it, in the event's transaction (after its
 * subscription payment was recorded). Null when billing reported no method (bodies of hosts that
 * predate the guard: the guard does not apply).
 */
export async function checkPaymentInstrument(
  deps: RewardingDeps,
  t: Transaction,
  event: PaymentSucceededEvent,
  product: RewardingProduct,
): Promise<PaymentInstrumentOutcome | null> {
  const method = event.paymentMethod;
  if (!method) return null;
  const unresolved = method.type === UNRESOLVED_PAYMENT_METHOD;
  const reusable = !unresolved && (product.reusablePaymentMethodTypes ?? []).includes(method.type);
  const fingerprint = reusable ? (method.fingerprint ?? null) : null;
  return deps.attribution.recordPaymentInstrument(
    {
      provider: event.provider,
      sourcePaymentId: event.sourcePaymentId,
      product: product.product,
      userId: event.userId,
      methodType: method.type,
      unresolved,
      reusable,
      instrumentHash: fingerprint === null ? null : hashPaymentInstrument(deps.paymentInstrumentHashSecret, method.type, fingerprint),
      amountMinor: event.amount.minor,
      interval: event.subscription.interval,
      kind: event.subscription.kind,
      paidAt: event.paidAt,
    },
    { transaction: t },
  );
}

/** The decision the guard forces (not an eligible conversion), or null when it lets the rules decide. */
export function instrumentDecision(outcome: PaymentInstrumentOutcome | null): { code: DecisionCode; explanation: string } | null {
  if (outcome === 'already_claimed') {
    return { code: 'payment_instrument_already_claimed', explanation: 'the payment method already settled the first payment of another account: not an eligible referral conversion [179, 181]' };
  }
  if (outcome === 'unresolved') return { code: 'payment_instrument_unresolved', explanation: 'billing could not resolve the payment method: not an eligible referral conversion [180]' };
  return null;
}

export function paymentMethodRecord(outcome: PaymentInstrumentOutcome | null): PaymentMethodRecord | null {
  if (outcome === null) return null;
  const blocked = outcome === 'already_claimed';
  return { check: outcome, introductoryBonus: blocked ? 'does_not_apply' : 'not_blocked', message: blocked ? INTRODUCTORY_BONUS_DOES_NOT_APPLY : null };
}
