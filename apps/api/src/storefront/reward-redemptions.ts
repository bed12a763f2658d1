import { type Delivery, listDeliveries } from '@referrals/impact-sync';
import { type Reward } from '@referrals/ledger';
import { type Sequelize } from 'sequelize';
import { rewardView, type RewardView } from './referral-views';

/**
 * Reward views with their Impact redemption, for a page of rewards in one extra read (the
 * redemption delivery's business id is the reward id). Rewards that were never applied have none.
 */
export async function rewardViewsWithRedemptions(sequelize: Sequelize, rewards: readonly Reward[]): Promise<RewardView[]> {
  const byReward = new Map<string, Delivery>();
  if (rewards.length > 0) {
    const ids = rewards.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 1_000) {
      const page = ids.slice(i, i + 1_000);
      for (const d of await listDeliveries(sequelize, { kind: 'reward_redemption', businessId: page, limit: 1_000 })) byReward.set(d.businessId, d);
    }
  }
  return rewards.map((r) => rewardView(r, byReward.get(r.id) ?? null));
}

/** One reward's view with its redemption. */
export async function rewardViewWithRedemption(sequelize: Sequelize, reward: Reward): Promise<RewardView> {
  const [view] = await rewardViewsWithRedemptions(sequelize, [reward]);
  return view ?? rewardView(reward);
}
