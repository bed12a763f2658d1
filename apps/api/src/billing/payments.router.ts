import { recordAdverseNotice } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { adversePaymentRequestSchema, adversePaymentResponseSchema, paymentSucceededRequestSchema } from './payments.schemas';
import { answerQualifyingEvent } from './qualifying-event';
import { qualifyingEventResponseSchema } from './qualifying-event.schemas';

/** Billing: `payment.succeeded` (a qualifying event) and adverse payment notices. */
export function paymentRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/events/payment-succeeded',
    operationId: 'paymentSucceeded',
    summary: 'payment.succeeded: attribution, reward rules of the pinned program, ledger grant, SALE report queued (one transaction)',
    description:
      'Idempotent per provider + sourcePaymentId: a replay (also concurrent) answers the original outcome, byte for byte; ' +
      'the same payment with other content is a 409 (event_exists_with_different_content). The price a percent reward is ' +
      'computed from is the product\'s price table: a monthlyPrice that disagrees with it, an unknown tier, a currency other ' +
      'than the product\'s, or a reward above the maximum per reward is a 422 naming the field, and nothing is written.',
    tags: ['billing'],
    roles: ['billing'],
    body: paymentSucceededRequestSchema,
    idempotencyKey: true,
    errors: [409, 422],
    response: { status: 200, description: 'What the payment decided', schema: qualifyingEventResponseSchema },
    async handler({ body, res }) {
      const answer = await answerQualifyingEvent(services, { type: 'payment.succeeded', ...body });
      if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
      return { body: answer.body, stored: true };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/events/adverse-payment',
    operationId: 'adversePayment',
    summary: 'Adverse payment notice (refund, chargeback, fraud mark, enforced early-fraud-warning refund)',
    description:
      'The first adverse notice of a payment cancels its pending/earned rewards and puts applied ones in review_required, ' +
      'then starts the reversal of the reported SALE. Later notices of the payment change nothing more. Idempotent per noticeId.',
    tags: ['billing'],
    roles: ['billing'],
    body: adversePaymentRequestSchema,
    idempotencyKey: true,
    errors: [409],
    response: { status: 200, description: 'What the notice changed', schema: adversePaymentResponseSchema },
    async handler({ body, res }) {
      const { answer, replayed, acted } = await recordAdverseNotice(services.rewarding, body);
      if (acted) services.metrics.adverse.inc({ kind: answer.kind, effect: answer.effect });
      if (replayed) res.setHeader('idempotent-replayed', 'true');
      return { body: answer, stored: true };
    },
  });
}
