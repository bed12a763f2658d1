import { queueIssuanceCreated, queueUsageThresholdCrossed } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { issuanceCreatedRequestSchema, issuanceSignalResponseSchema, usageThresholdRequestSchema } from './issuances.schemas';

/**
 * Issuances: one `decideIssuanceBonus` workflow per issuance decides its single bonus-like item
 * (welcome promo, referral bonus, legacy month-2 promo, usage bonus). Both billing events reach it
 * with signalWithStart, in whichever order they come: the first starts it, the second signals the
 * running one. The api only queues the signal (an outbox row, relayed to Temporal by the worker);
 * the workflow's activities take the ledger's slot.
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
}
