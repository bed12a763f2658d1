import { recordAdversePayment } from '@referrals/ledger';
import { startOptions, workflowTypes } from '@referrals/workflows';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { answerOnce } from '../http/idempotency';
import { type ApiServices } from '../services';
import { adversePaymentRequestSchema, adversePaymentResponseSchema, paymentSucceededRequestSchema } from './payments.schemas';
import { decideQualifyingEvent, ledgerConversionId } from './qualifying-event';
import { qualifyingEventResponseSchema } from './qualifying-event.schemas';

/** Billing: `payment.succeeded` (a qualifying event) and adverse payment notices. */
export function paymentRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/events/payment-succeeded',
    operationId: 'paymentSucceeded',
    summary: 'payment.succeeded: attribution, reward rules of the pinned program, ledger grant, SALE report',
    description:
      'Idempotent per provider + sourcePaymentId: a replay (also concurrent) answers the original outcome, byte for byte; ' +
      'the same payment with other content is a 409 (event_exists_with_different_content).',
    tags: ['billing'],
    roles: ['billing'],
    body: paymentSucceededRequestSchema,
    idempotencyKey: true,
    errors: [409, 503],
    response: { status: 200, description: 'What the payment decided', schema: qualifyingEventResponseSchema },
    async handler({ body, res }) {
      const product = services.products.get(body.product);
      const listPrice = body.subscription.monthlyPrice ?? product?.monthlyPrices?.[body.subscription.tier];
      const facts = structuredClone(body.facts ?? {}) as Record<string, unknown>;
      // Reward-phase facts of the payments catalog; the event's own facts win over the host's extras.
      Object.assign(facts, {
        subscription: {
          ...(facts['subscription'] as object | undefined),
          tier: body.subscription.tier,
          interval: body.subscription.interval,
          kind: body.subscription.kind,
          started_at: body.subscription.startedAt,
          ...(listPrice ? { monthly_price: { amountMinor: listPrice.minor, currency: listPrice.currency } } : {}),
        },
        payment: { amount: { amountMinor: body.amount.minor, currency: body.amount.currency }, sequence: body.sequence, paid_at: body.paidAt },
        event: { sequence: body.sequence },
      });
      const answer = await decideQualifyingEvent(services, {
        type: 'payment.succeeded',
        provider: body.provider,
        sourceId: body.sourcePaymentId,
        product: body.product,
        userId: body.userId,
        occurredAt: new Date(body.paidAt),
        sale: body.amount.minor > 0,
        facts,
        report: {
          amountMinor: body.amount.minor,
          currency: body.amount.currency,
          ...(body.email ? { customerEmail: body.email } : {}),
          item: { category: body.product, name: body.subscription.tier, sku: body.subscription.tier, quantity: 1 },
          ...(body.promoCode ? { promoCode: body.promoCode } : {}),
        },
        request: body,
      });
      if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
      return { status: answer.status, body: answer.body as never, stored: true };
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
    errors: [409, 503],
    response: { status: 200, description: 'What the notice changed', schema: adversePaymentResponseSchema },
    async handler({ body, res }) {
      const product = services.products.get(body.product);
      if (!product) throw new ApiError(400, 'product_unknown', `product "${body.product}" is not served by this api`, [{ path: 'body.product', message: 'unknown product' }]);
      const paymentId = ledgerConversionId(body.provider, body.sourcePaymentId);
      const answer = await answerOnce(
        services.sequelize,
        {
          scope: 'event:adverse-payment',
          key: body.noticeId,
          request: body,
          conflictCode: 'event_exists_with_different_content',
          conflictMessage: `notice ${body.noticeId} was recorded with other content; the first recording stands`,
        },
        async () => {
          const result = await recordAdversePayment(services.sequelize, {
            noticeId: body.noticeId,
            paymentId,
            kind: body.kind,
            occurredAt: new Date(body.occurredAt),
            actor: 'api:billing',
            ...(body.reason ? { reason: body.reason } : {}),
          });
          if (!result.replayed) services.metrics.adverse.inc({ kind: result.kind, effect: result.effect });
          const workflows = [];
          const conversion = product.reportsSales
            ? await services.attribution.findConversion({ provider: body.provider, sourcePaymentId: body.sourcePaymentId })
            : null;
          // Only a payment whose SALE was (or is being) reported has something to reverse in Impact.
          if (conversion && conversion.sale && conversion.winner !== 'none') {
            const started = await services.workflows.start(
              workflowTypes.conversionReversal,
              startOptions.conversionReversal(
                {
                  conversionId: paymentId,
                  product: product.product,
                  provider: body.provider,
                  sourcePaymentId: body.sourcePaymentId,
                  userId: conversion.userId,
                  adverseKind: body.kind,
                },
                services.startOverrides,
              ),
            );
            workflows.push({ type: started.type, workflowId: started.workflowId });
          }
          return {
            status: 200,
            body: {
              noticeId: result.noticeId,
              paymentId: result.paymentId,
              kind: result.kind,
              effect: result.effect,
              changes: result.changes.map((c) => ({ rewardId: c.rewardId, from: c.from, to: c.to })),
              workflows,
            },
          };
        },
      );
      if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
      return { status: answer.status, body: answer.body as never, stored: true };
    },
  });
}
