import { applyFreePeriodAtRenewal } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { renewalAnswerSchema, renewalDueRequestSchema } from './renewals.schemas';

/**
 * Free-period rewards (KiloClaw's free month) are fulfilled at a renewal boundary: billing says a
 * renewal is due, the engine applies the oldest pending free period and answers where the renewal
 * moves (the billing system moves it). One reward per boundary; the same boundary again answers the
 * same reward.
 */
export function renewalRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/events/renewal-due',
    operationId: 'renewalDue',
    summary: 'A renewal is due: apply the oldest pending free period and answer the moved renewal',
    tags: ['billing'],
    roles: ['billing'],
    body: renewalDueRequestSchema,
    idempotencyKey: true,
    response: { status: 200, description: 'What was applied, and where the renewal moves', schema: renewalAnswerSchema },
    async handler({ body }) {
      return { body: await applyFreePeriodAtRenewal(services.rewarding, body, { asOf: services.clock() }) };
    },
  });
}
