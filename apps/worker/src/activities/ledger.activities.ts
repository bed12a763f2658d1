import { deleteUnattributedTouches } from '@referrals/attribution';
import { findWorkWithoutDelivery } from '@referrals/impact-sync';
import { finishScheduleRun } from '@referrals/outbox';
import {
  applyRewardToIssuance,
  claimIssuanceBonusSlot,
  expireRewards,
  listRewards,
  recordIssuanceOutcome,
  runLedgerVerification,
  type IssuanceBonusItem,
  type Reward,
} from '@referrals/ledger';
import {
  type AppliedRewardView,
  type BonusItemView,
  type IssuanceBonusActivities,
  type MaintenanceActivities,
} from '@referrals/workflows';
import { type ActivityDeps } from './activity-deps';
import { withBusinessErrors } from './activity-errors';

const itemView = (item: IssuanceBonusItem): BonusItemView => ({ itemKind: item.itemKind, rewardId: item.rewardId });

export const rewardView = (reward: Reward): AppliedRewardView => ({
  rewardId: reward.id,
  programKey: reward.programKey,
  beneficiaryId: reward.beneficiaryId,
  product: reward.product,
  amountMinor: reward.amountMinor,
  unit: reward.unit,
});

/** The issuance bonus slot and rewards: thin, idempotent wrappers of the ledger's transactions. */
export function createLedgerActivities(deps: ActivityDeps): IssuanceBonusActivities & MaintenanceActivities {
  const { sequelize } = deps;
  return {
    applyReferralReward: (input) =>
      withBusinessErrors(async () => {
        // One ledger transaction: the reward moves to applied AND the referral_bonus item takes
        // the slot; a replay for the issuance answers the reward applied the first time.
        const result = await applyRewardToIssuance(sequelize, {
          issuanceId: input.issuanceId,
          beneficiaryId: input.beneficiaryId,
          product: input.product,
          issuanceCreatedAt: new Date(input.issuanceCreatedAt),
          ...(input.includeRefereeRewards === undefined ? {} : { includeRefereeRewards: input.includeRefereeRewards }),
          asOf: deps.clock(),
          actor: input.actor,
        });
        switch (result.outcome) {
          case 'applied':
            return { outcome: 'applied', reward: rewardView(result.reward), item: itemView(result.item), replayed: result.replayed };
          case 'slot_taken':
            return { outcome: 'slot_taken', heldBy: itemView(result.heldBy) };
          case 'no_reward_available':
            return { outcome: 'no_reward_available' };
        }
      }),

    claimIssuanceBonus: (input) =>
      withBusinessErrors(async () => {
        const result = await claimIssuanceBonusSlot(sequelize, input);
        return result.outcome === 'claimed'
          ? { outcome: 'claimed', item: itemView(result.item), replayed: result.replayed }
          : { outcome: 'slot_taken', heldBy: itemView(result.heldBy) };
      }),

    recordIssuanceOutcome: (input) =>
      withBusinessErrors(async () => {
        // The decision (the first one stands) where the api reads it: GET /v1/issuances/{id}.
        await recordIssuanceOutcome(sequelize, {
          ...input,
          usageThresholdCrossedAt: input.usageThresholdCrossedAt === null ? null : new Date(input.usageThresholdCrossedAt),
        });
      }),

    purgeStaleTouchBatch: ({ retentionDays, batchSize }) =>
      withBusinessErrors(() => deleteUnattributedTouches(sequelize, { olderThan: new Date(deps.clock().getTime() - retentionDays * 86_400_000), limit: batchSize })),

    expireRewardBatch: ({ batchSize }) =>
      withBusinessErrors(async () => {
        const result = await expireRewards(sequelize, { now: deps.clock(), batchSize });
        return { expired: result.expired.length, rewardIds: result.expired.map((r) => r.id), hasMore: result.hasMore };
      }),

    runLedgerVerification: () =>
      withBusinessErrors(async () => {
        const v = await runLedgerVerification(sequelize, { now: deps.clock() });
        return { verificationId: v.id, checkedAt: v.checkedAt.toISOString(), violationCount: v.violationCount, violationCodes: [...new Set(v.violations.map((x) => x.code))] };
      }),

    recordScheduleRun: (input) => withBusinessErrors(() => finishScheduleRun(sequelize, input)),

    findRewardsWithoutRedemption: ({ limit }) =>
      withBusinessErrors(async () => {
        const found: AppliedRewardView[] = [];
        let afterId: string | undefined;
        // Pages of applied rewards, oldest first; keeps those no redemption was ever recorded for.
        for (;;) {
          const page = await listRewards(sequelize, { status: 'applied', limit: 500, ...(afterId ? { afterId } : {}) });
          if (page.length === 0) return found;
          const missing = new Set(await findWorkWithoutDelivery(sequelize, 'reward_redemption', page.map((r) => r.id)));
          for (const reward of page) {
            if (!missing.has(reward.id)) continue;
            found.push(rewardView(reward));
            if (found.length >= limit) return found;
          }
          afterId = page[page.length - 1]?.id;
        }
      }),
  };
}
