import { getRewardHistory, listRewards, resolveReview } from '@referrals/ledger';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { rewardViewsWithRedemptions, rewardViewWithRedemption } from '../storefront/reward-redemptions';
import {
  listRewardsQuerySchema,
  listRewardsResponseSchema,
  resolveReviewRequestSchema,
  resolveReviewResponseSchema,
  rewardHistoryResponseSchema,
  rewardIdParamsSchema,
} from './rewards.schemas';

/** Rewards for operators: filter by state, read the audit trail, resolve a `review_required` one. */
export function rewardRoutes(routes: ApiRoutes, services: ApiServices): void {
  const tags = ['admin: rewards'];

  routes.add({
    method: 'get',
    path: '/v1/admin/rewards',
    operationId: 'listRewards',
    summary: 'Rewards by state (and beneficiary, program), oldest first, a page at a time',
    tags,
    roles: ['admin'],
    query: listRewardsQuerySchema,
    domainPathPrefix: 'query',
    response: { status: 200, description: 'A page of rewards', schema: listRewardsResponseSchema },
    async handler({ query }) {
      const rewards = await listRewards(services.sequelize, query);
      const last = rewards.at(-1);
      return { body: { rewards: await rewardViewsWithRedemptions(services.sequelize, rewards), nextAfterId: rewards.length === query.limit && last ? last.id : null } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/rewards/{rewardId}',
    operationId: 'getRewardHistory',
    summary: 'A reward and its audit trail (who or what moved it, when, why)',
    tags,
    roles: ['admin'],
    params: rewardIdParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'The reward and every transition', schema: rewardHistoryResponseSchema },
    async handler({ params }) {
      const history = await getRewardHistory(services.sequelize, params.rewardId);
      return {
        body: {
          reward: await rewardViewWithRedemption(services.sequelize, history.reward),
          events: history.events.map((e) => ({
            fromStatus: e.fromStatus,
            toStatus: e.toStatus,
            operation: e.operation,
            actor: e.actor,
            reason: e.reason,
            externalIds: e.externalIds,
            occurredAt: e.occurredAt.toISOString(),
          })),
        },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/rewards/{rewardId}/resolve',
    operationId: 'resolveReview',
    summary: 'Resolve a review_required reward: keep (applied) or reverse',
    description: 'Only a reward in review_required can be resolved (409 reward_transition_illegal otherwise). Repeating the same decision is a replay.',
    tags,
    roles: ['admin'],
    params: rewardIdParamsSchema,
    body: resolveReviewRequestSchema,
    idempotencyKey: true,
    errors: [404, 409],
    response: { status: 200, description: 'The reward after the decision', schema: resolveReviewResponseSchema },
    async handler({ params, body }) {
      const result = await resolveReview(services.sequelize, {
        rewardId: params.rewardId,
        decision: body.decision,
        actor: `operator:${body.operator}`,
        reason: body.reason,
      });
      return { body: { reward: await rewardViewWithRedemption(services.sequelize, result.reward), replayed: result.replayed } };
    },
  });
}
