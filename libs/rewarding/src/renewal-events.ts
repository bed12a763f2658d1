import { applyFreePeriodReward, inLedgerTransaction } from '@referrals/ledger';
import { enqueueWork } from '@referrals/outbox';
import { startOptions, workflowTypes } from '@referrals/workflows';
import { rewardRecord, type RewardRecord } from './records';
import { type RewardingDeps } from './record-qualifying-event';
import { RewardingError } from './rewarding.errors';

/** Billing's "a renewal is due": the boundary a pending free period (KiloClaw's free month) can move. */
export interface RenewalDueEvent {
  readonly subscriptionId: string;
  readonly userId: string;
  readonly product: string;
  /** ISO 8601: the next unpaid renewal boundary. */
  readonly renewsAt: string;
}

export interface RenewalAnswer {
  outcome: 'applied' | 'no_reward_available';
  /** The boundary sent. */
  renewsAt: string;
  /** Where the renewal moves (one calendar month later for a free month); the sent boundary when nothing applied. */
  newRenewsAt: string;
  reward: RewardRecord | null;
  /** The Impact redemption queued for the applied reward (through the outbox). */
  redemptionWorkflowId: string | null;
  replayed: boolean;
}

/**
 * Free-period fulfilment at a renewal boundary, ONE transaction: the oldest pending free period of
 * the user and product is applied (ledger `applyFreePeriodReward`: the boundary moves by its
 * period, day of month clamped) and its Impact redemption is queued in the outbox. The same
 * boundary again answers what was applied the first time.
 */
export async function applyFreePeriodAtRenewal(deps: RewardingDeps, event: RenewalDueEvent, options: { asOf: Date }): Promise<RenewalAnswer> {
  const product = deps.products.get(event.product);
  if (!product) {
    throw new RewardingError('product_unknown', `product "${event.product}" is not served here`, {
      issues: [{ path: 'product', code: 'product_unknown', message: 'unknown product' }],
    });
  }
  return inLedgerTransaction(deps.sequelize, async (t) => {
    const result = await applyFreePeriodReward(
      deps.sequelize,
      { subscriptionId: event.subscriptionId, beneficiaryId: event.userId, product: product.product, renewsAt: new Date(event.renewsAt), asOf: options.asOf, actor: 'billing:renewal-due' },
      { transaction: t },
    );
    if (result.outcome === 'no_reward_available') {
      return { outcome: 'no_reward_available', renewsAt: result.renewsAt.toISOString(), newRenewsAt: result.renewsAt.toISOString(), reward: null, redemptionWorkflowId: null, replayed: false };
    }
    const { reward } = result;
    const redemption = startOptions.rewardRedemption({ rewardId: reward.id, programKey: reward.programKey, beneficiaryId: reward.beneficiaryId }, deps.startOverrides);
    await enqueueWork(deps.sequelize, t, [{ kind: 'start', workflowType: workflowTypes.rewardRedemption, options: redemption }]);
    return {
      outcome: 'applied',
      renewsAt: result.renewsAt.toISOString(),
      newRenewsAt: result.newRenewsAt.toISOString(),
      reward: rewardRecord(reward),
      redemptionWorkflowId: redemption.workflowId,
      replayed: result.replayed,
    };
  });
}
