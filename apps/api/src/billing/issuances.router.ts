import { issuanceCreatedSignalWithStart, usageThresholdCrossedSignalWithStart, workflowTypes } from '@referrals/workflows';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { issuanceCreatedRequestSchema, issuanceSignalResponseSchema, usageThresholdRequestSchema } from './issuances.schemas';

/**
 * Issuances: one `decideIssuanceBonus` workflow per issuance decides its single bonus-like item
 * (welcome promo, referral bonus, legacy month-2 promo, usage bonus). Both billing events reach it
 * with signalWithStart, in whichever order they come: the first starts it, the second signals the
 * running one. The api writes nothing itself; the workflow's activities take the ledger's slot.
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
    errors: [503],
    response: { status: 202, description: 'Accepted by the issuance\'s workflow', schema: issuanceSignalResponseSchema },
    async handler({ body }) {
      const { issuanceId, subscriberId, programKey, product: _product, ...facts } = body;
      const product = ledgerProductOf(services, body.product);
      const result = await services.workflows.signalWithStart(
        workflowTypes.issuanceBonus,
        issuanceCreatedSignalWithStart(
          { issuanceId, subscriberId, product, programKey: programKey ?? null },
          {
            issuanceCreatedAt: facts.issuanceCreatedAt,
            periodEndsAt: facts.periodEndsAt,
            interval: facts.interval,
            issuanceNumber: facts.issuanceNumber,
            firstTimeSubscriber: facts.firstTimeSubscriber,
            subscriberStartedAt: facts.subscriberStartedAt,
            ...(facts.welcomePromoEligible === undefined ? {} : { welcomePromoEligible: facts.welcomePromoEligible }),
            ...(facts.promoLaunchCutoffAt === undefined ? {} : { promoLaunchCutoffAt: facts.promoLaunchCutoffAt }),
          },
          services.startOverrides,
        ),
      );
      return { body: { issuanceId, workflowId: result.workflowId, outcome: result.outcome === 'already_finished' ? ('already_finished' as const) : ('signaled' as const) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/events/usage-threshold-crossed',
    operationId: 'usageThresholdCrossed',
    summary: 'The subscriber crossed the usage threshold in the issuance period: signal the issuance-bonus workflow',
    description: 'Once the issuance was decided the signal changes nothing (`already_finished`); a referral_bonus on the issuance blocks the usage bonus.',
    tags: ['billing'],
    roles: ['billing'],
    body: usageThresholdRequestSchema,
    idempotencyKey: true,
    errors: [503],
    response: { status: 202, description: 'Accepted by the issuance\'s workflow', schema: issuanceSignalResponseSchema },
    async handler({ body }) {
      const { issuanceId, subscriberId, programKey, crossedAt } = body;
      const product = ledgerProductOf(services, body.product);
      const result = await services.workflows.signalWithStart(
        workflowTypes.issuanceBonus,
        usageThresholdCrossedSignalWithStart({ issuanceId, subscriberId, product, programKey: programKey ?? null }, { crossedAt }, services.startOverrides),
      );
      return { body: { issuanceId, workflowId: result.workflowId, outcome: result.outcome === 'already_finished' ? ('already_finished' as const) : ('signaled' as const) } };
    },
  });
}

/** The product whose pending rewards the issuance may consume; refuses a product this api does not serve. */
function ledgerProductOf(services: ApiServices, product: string): string {
  const config = services.products.get(product);
  if (!config) {
    throw new ApiError(400, 'product_unknown', `product "${product}" is not served by this api`, [{ path: 'body.product', message: 'unknown product' }]);
  }
  return config.product;
}
