import { getIssuanceOutcome, type IssuanceOutcome } from '@referrals/ledger';
import { queueIssuanceCreated, queueUsageThresholdCrossed } from '@referrals/rewarding';
import { workflowIds } from '@referrals/workflows';
import { type ApiRoutes } from '../http/api-routes';
import { iso } from '../openapi/common.schemas';
import { type ApiServices } from '../services';
import { rewardViewWithRedemption } from '../storefront/reward-redemptions';
import {
  issuanceCreatedRequestSchema,
  issuanceIdParamsSchema,
  issuanceOutcomeResponseSchema,
  issuanceSignalResponseSchema,
  usageThresholdRequestSchema,
} from './issuances.schemas';

const PENDING_REASON = 'received: the issuance-bonus workflow has not decided yet';

async function outcomeView(services: ApiServices, outcome: IssuanceOutcome) {
  return {
    issuanceId: outcome.issuanceId,
    subscriberId: outcome.subscriberId,
    product: outcome.product,
    workflowId: workflowIds.issuanceBonus(outcome.issuanceId),
    status: outcome.status,
    decision: outcome.decision,
    item: outcome.item ? { itemKind: outcome.item.itemKind, rewardId: outcome.item.rewardId, claimedAt: outcome.item.claimedAt.toISOString() } : null,
    consumedReward: outcome.consumedReward ? await rewardViewWithRedemption(services.sequelize, outcome.consumedReward) : null,
    reason: outcome.reason ?? PENDING_REASON,
    facts: outcome.facts,
    usageThresholdCrossedAt: iso(outcome.usageThresholdCrossedAt),
    receivedAt: outcome.receivedAt.toISOString(),
    decidedAt: iso(outcome.decidedAt),
  };
}

/**
 * Issuances: one `decideIssuanceBonus` workflow per issuance decides its single bonus-like item
 * (welcome promo, referral bonus, usage bonus). Both billing events reach it
 * with signalWithStart, in whichever order they come: the first starts it, the second signals the
 * running one. The api only queues the signal (an outbox row, relayed to Temporal by the worker);
 * the workflow's activities take the ledger's slot and record the decision, which `GET
 * /v1/issuances/{issuanceId}` reads from PostgreSQL.
 */
export function issuanceRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/events/issuance-created',
    operationId: 'issuanceCreated',
    summary: 'A monthly base issuance was created: signalWithStart the issuance-bonus workflow',
    tags: ['billing'],
    roles: ['billing'],
    body: issuanceCreatedRequestSchema,
    idempotencyKey: true,
    response: { status: 202, description: 'Queued for the issuance\'s workflow', schema: issuanceSignalResponseSchema },
    async handler({ body }) {
      return { body: await queueIssuanceCreated(services.rewarding, body) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/events/usage-threshold-crossed',
    operationId: 'usageThresholdCrossed',
    summary: 'The subscriber crossed the usage threshold in the issuance period: signal the issuance-bonus workflow',
    description: 'Once the issuance was decided the signal changes nothing; a referral_bonus on the issuance blocks the usage bonus.',
    tags: ['billing'],
    roles: ['billing'],
    body: usageThresholdRequestSchema,
    idempotencyKey: true,
    response: { status: 202, description: 'Queued for the issuance\'s workflow', schema: issuanceSignalResponseSchema },
    async handler({ body }) {
      return { body: await queueUsageThresholdCrossed(services.rewarding, body) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/issuances/{issuanceId}',
    operationId: 'getIssuanceOutcome',
    summary: 'What an issuance got: its single bonus-like item, the referral reward it consumed, and why',
    description:
      'Read from PostgreSQL (the workflow records its decision there), never from Temporal. `pending` until the issuance-bonus workflow decided; 404 `issuance_not_found` when no billing event about the issuance was received.',
    tags: ['billing'],
    roles: ['billing', 'admin'],
    params: issuanceIdParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'The issuance\'s outcome', schema: issuanceOutcomeResponseSchema },
    async handler({ params }) {
      return { body: await outcomeView(services, await getIssuanceOutcome(services.sequelize, params.issuanceId)) };
    },
  });
}
