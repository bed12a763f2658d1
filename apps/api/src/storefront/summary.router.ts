import { getBeneficiaryBalances, listRewards } from '@referrals/ledger';
import { INTRODUCTORY_BONUS_DOES_NOT_APPLY } from '@referrals/rewarding';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { referralView } from './referral-views';
import { rewardViewsWithRedemptions } from './reward-redemptions';
import { summaryParamsSchema, summaryQuerySchema, summaryResponseSchema } from './summary.schemas';

/** What the storefront shows a user: how they were referred and what they earned. Read-only. */
export function summaryRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'get',
    path: '/v1/users/{userId}/summary',
    operationId: 'getUserSummary',
    summary: 'A user\'s referral and reward summary for one product',
    tags: ['storefront'],
    roles: ['storefront'],
    params: summaryParamsSchema,
    query: summaryQuerySchema,
    domainPathPrefix: 'query',
    response: { status: 200, description: 'Referral, rewards and balances', schema: summaryResponseSchema },
    async handler({ params, query }) {
      // An unknown product is a 400 here as on every endpoint that names one (not an empty 200).
      if (!services.products.catalogs.get(query.product)) {
        throw new ApiError(400, 'product_unknown', `product "${query.product}" is unknown`, [
          { path: 'query.product', message: `has no program catalog; known products: ${services.products.catalogs.products().join(', ')}` },
        ]);
      }
      const [referral, rewards, balances, instrumentClaimed] = await Promise.all([
        services.attribution.findReferral({ product: query.product, refereeUserId: params.userId }),
        listRewards(services.sequelize, { beneficiaryId: params.userId, limit: 1000 }),
        getBeneficiaryBalances(services.sequelize, params.userId),
        services.attribution.firstSettlementInstrumentClaimed({ product: query.product, userId: params.userId }),
      ]);
      const ofProduct = rewards.filter((r) => r.product === query.product);
      const programKeys = new Set(ofProduct.map((r) => r.programKey));
      return {
        body: {
          userId: params.userId,
          product: query.product,
          referral: referral ? referralView(referral) : null,
          rewards: await rewardViewsWithRedemptions(services.sequelize, ofProduct),
          introductoryBonus: instrumentClaimed ? { applies: 'does_not_apply' as const, message: INTRODUCTORY_BONUS_DOES_NOT_APPLY } : { applies: 'not_blocked' as const, message: null },
          balances: balances.filter((b) => programKeys.has(b.programKey)),
        },
      };
    },
  });
}
