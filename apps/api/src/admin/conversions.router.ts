import { parseConversionKey, readConversion } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { rewardViewsWithRedemptions } from '../storefront/reward-redemptions';
import { conversionIdParamsSchema, conversionViewSchema, markEligibleRequestSchema, markEligibleResponseSchema } from './conversions.schemas';

/** A conversion on its own (Kilo rules 118, 135, 172): who won and why, what was decided and why, what it granted. */
export function conversionRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'get',
    path: '/v1/admin/conversions/{conversionId}',
    operationId: 'getConversion',
    summary: 'A conversion by its id ({provider}:{sourceId}): the winning touch and why, the decision and its reasons, its rewards',
    description: 'The id is the one rewards carry as sourceConversionId and the payment answer as conversion.id. 404 conversion_not_found when nothing has it.',
    tags: ['admin: conversions'],
    roles: ['admin'],
    params: conversionIdParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'The conversion', schema: conversionViewSchema },
    async handler({ params }) {
      const { conversion, rewards } = await readConversion(services, params.conversionId);
      return { body: { ...conversion, rewards: await rewardViewsWithRedemptions(services.sequelize, rewards) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/conversions/{conversionId}/eligibility',
    operationId: 'markConversionEligible',
    summary: 'Mark a test, admin-created or manually adjusted payment\'s conversion eligible (Kilo rules 69, 173), before billing sends it',
    description:
      'The support process: an operator marks the conversion id; when billing then sends that payment with origin test, admin_created ' +
      'or manual_adjustment, it is decided like a customer\'s payment (rewards, SALE report) and its explanation names the mark. ' +
      'The mark is the audit record (who, why, when) and never changes; marking again answers the first mark. A conversion already ' +
      'recorded is a 409 conversion_already_recorded.',
    tags: ['admin: conversions'],
    roles: ['admin'],
    params: conversionIdParamsSchema,
    body: markEligibleRequestSchema,
    domainPathPrefix: 'params',
    errors: [409],
    response: { status: 200, description: 'The mark', schema: markEligibleResponseSchema },
    async handler({ params, body }) {
      // The params schema admits only {provider}:{sourceId}, so the key parses.
      const key = parseConversionKey(params.conversionId) ?? { provider: '', sourceId: '' };
      const { mark, replayed } = await services.attribution.markConversionEligible({ key, operator: body.operator, reason: body.reason });
      return { body: { conversionId: params.conversionId, operator: mark.operator, reason: mark.reason, markedAt: mark.markedAt.toISOString(), replayed } };
    },
  });
}
