import { countDeliveries, type Delivery, deliveryCategories, listDeliveries, listDeliveryAttempts } from '@referrals/impact-sync';
import { countRewardsByStatus, lastLedgerVerification, listRewards } from '@referrals/ledger';
import { outboxBacklog } from '@referrals/outbox';
import { requeueFailedDelivery } from '@referrals/rewarding';
import { iso } from '../openapi/common.schemas';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { rewardView } from '../storefront/referral-views';
import { listDisqualifiedReferrals } from './ops-read-models';
import {
  deliveryParamsSchema,
  requeueDeliveryResponseSchema,
  deliveryAttemptsResponseSchema,
  listDeliveriesQuerySchema,
  listDeliveriesResponseSchema,
  opsStateQuerySchema,
  opsStateResponseSchema,
} from './ops.schemas';

const NEEDS_ATTENTION = ['pending', 'retrying', 'failed'] as const;

export const deliveryView = (d: Delivery) => ({
  id: d.id,
  kind: d.kind,
  businessId: d.businessId,
  product: d.product,
  programKey: d.programKey,
  userId: d.userId,
  workflowId: d.workflowId,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError ? { code: d.lastError.code, message: d.lastError.message, httpStatus: d.lastError.httpStatus ?? null } : null,
  lastAttemptAt: iso(d.lastAttemptAt),
  nextAttemptAt: iso(d.nextAttemptAt),
  updatedAt: d.updatedAt.toISOString(),
});

/**
 * Ops state: the delivery state of Impact work recorded by the worker's activities (impact-sync),
 * and the referrals and grants that were decided without a reward, with their reasons.
 */
export function opsRoutes(routes: ApiRoutes, services: ApiServices): void {
  const { sequelize, attribution } = services;
  const tags = ['admin: ops'];

  routes.add({
    method: 'get',
    path: '/v1/admin/ops',
    operationId: 'getOpsState',
    summary: 'Counts and lists of pending, retrying and failed Impact work; disqualified referrals and not-rewarded conversions with reasons',
    tags,
    roles: ['admin'],
    query: opsStateQuerySchema,
    domainPathPrefix: 'query',
    response: { status: 200, description: 'The ops overview', schema: opsStateResponseSchema },
    async handler({ query }) {
      const attention = (kinds: readonly Delivery['kind'][]) => listDeliveries(sequelize, { kind: [...kinds], status: [...NEEDS_ATTENTION], limit: query.limit });
      const [counts, registrations, conversionReports, redemptions, referrals, notRewarded, disqualifiedRewards, rewardsByStatus, outbox, verification] = await Promise.all([
        countDeliveries(sequelize),
        attention(deliveryCategories.registrations),
        attention(deliveryCategories.conversionReports),
        attention(deliveryCategories.redemptions),
        listDisqualifiedReferrals(attribution, query.limit),
        attribution.listConversionOutcomes({ rewarded: false, limit: query.limit }),
        listRewards(sequelize, { status: 'disqualified', limit: query.limit }),
        countRewardsByStatus(sequelize),
        outboxBacklog(sequelize),
        lastLedgerVerification(sequelize),
      ]);
      return {
        body: {
          deliveries: counts,
          needsAttention: {
            registrations: registrations.map(deliveryView),
            conversionReports: conversionReports.map(deliveryView),
            redemptions: redemptions.map(deliveryView),
          },
          disqualifiedReferrals: referrals.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
          notRewardedConversions: notRewarded.map((o) => ({
            conversionId: o.conversionKey,
            referralId: o.referralId ?? '',
            product: o.product,
            userId: o.userId,
            decisionCode: o.decisionCode,
            reasons: [...o.reasons],
            recordedAt: o.recordedAt.toISOString(),
          })),
          disqualifiedRewards: disqualifiedRewards.map((r) => rewardView(r)),
          rewardsByStatus,
          outbox,
          ledgerVerification: verification
            ? { checkedAt: verification.checkedAt.toISOString(), violationCount: verification.violationCount, violations: verification.violations.map(({ code, message }) => ({ code, message })) }
            : null,
          temporalUi: services.temporalUi ? { url: services.temporalUi.url, namespace: services.temporalUi.namespace } : null,
        },
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/ops/deliveries',
    operationId: 'listDeliveries',
    summary: 'Impact deliveries by kind, status and age (and program, user), newest first by default',
    tags,
    roles: ['admin'],
    query: listDeliveriesQuerySchema,
    domainPathPrefix: 'query',
    response: { status: 200, description: 'A page of deliveries', schema: listDeliveriesResponseSchema },
    async handler({ query }) {
      const deliveries = await listDeliveries(sequelize, query);
      const last = deliveries.at(-1);
      return { body: { deliveries: deliveries.map(deliveryView), nextAfterId: deliveries.length === query.limit && last ? last.id : null } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/ops/deliveries/{kind}/{businessId}/attempts',
    operationId: 'listDeliveryAttempts',
    summary: 'Every recorded attempt of one piece of Impact work',
    tags,
    roles: ['admin'],
    params: deliveryParamsSchema,
    domainPathPrefix: 'params',
    response: { status: 200, description: 'Attempts, in order', schema: deliveryAttemptsResponseSchema },
    async handler({ params }) {
      const attempts = await listDeliveryAttempts(sequelize, params.kind, params.businessId);
      return { body: { attempts: attempts.map((a) => ({ ...a, nextAttemptAt: iso(a.nextAttemptAt), recordedAt: a.recordedAt.toISOString() })) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/ops/deliveries/{kind}/{businessId}/requeue',
    operationId: 'requeueDelivery',
    summary: 'Send a failed (or disabled) Impact delivery again, after fixing its cause',
    description:
      'Puts the delivery back to `pending` (its maximum age counts again from now) and queues a new run of its workflow through the outbox, in one transaction; the worker sends it again shortly after. 409 `delivery_not_requeueable` when it is not failed or disabled.',
    tags,
    roles: ['admin'],
    params: deliveryParamsSchema,
    domainPathPrefix: 'params',
    errors: [404, 409],
    response: { status: 202, description: 'Requeued', schema: requeueDeliveryResponseSchema },
    async handler({ params }) {
      const { delivery, workflowId } = await requeueFailedDelivery(services.rewarding, params);
      return { body: { delivery: deliveryView(delivery), workflowId } };
    },
  });
}
