import { readConversion } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { rewardViewsWithRedemptions } from '../storefront/reward-redemptions';
import { conversionIdParamsSchema, conversionViewSchema } from './conversions.schemas';

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
}
