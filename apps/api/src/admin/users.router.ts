import { readUserActivity } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { referralView } from '../storefront/referral-views';
import { rewardViewsWithRedemptions } from '../storefront/reward-redemptions';
import { userActivityResponseSchema, userParamsSchema } from './users.schemas';

/** Support's lookup of one user: everything recorded about them, across products. Read-only. */
export function userRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'get',
    path: '/v1/admin/users/{userId}',
    operationId: 'getUserActivity',
    summary: 'A user\'s touches (tracking values shortened), referrals with reasons, conversions with the winning touch, and rewards with their Impact redemption',
    description: 'A user nothing was recorded for answers 200 with empty lists (the engine has no user table of its own).',
    tags: ['admin: support'],
    roles: ['admin'],
    params: userParamsSchema,
    domainPathPrefix: 'params',
    response: { status: 200, description: 'What is recorded about the user', schema: userActivityResponseSchema },
    async handler({ params }) {
      const activity = await readUserActivity(services, params.userId);
      return {
        body: {
          userId: activity.userId,
          touches: activity.touches,
          referred: activity.referred.map(referralView),
          referrals: activity.referrals.map(referralView),
          conversions: activity.conversions,
          rewards: await rewardViewsWithRedemptions(services.sequelize, activity.rewards),
        },
      };
    },
  });
}
