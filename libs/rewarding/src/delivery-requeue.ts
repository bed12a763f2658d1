import { requeueDelivery, type Delivery, type DeliveryKind } from '@referrals/impact-sync';
import { enqueueWork, outboxMessagesOf, type OutboxWork } from '@referrals/outbox';
import { startOptions, workflowTypes } from '@referrals/workflows';
import { type Transaction } from 'sequelize';
import { type RewardingDeps } from './record-qualifying-event';
import { RewardingError } from './rewarding.errors';

export interface RequeuedDelivery {
  delivery: Delivery;
  /** The workflow that sends it again (a new run of the same workflow id). */
  workflowId: string;
}

/**
 * An operator fixed what made a delivery fail (a participant now registered, Impact configured, a
 * payload corrected) and sends it again: the delivery goes back to `pending` (its age counts again
 * from now) and a new run of its workflow is queued through the outbox, in one transaction. Only a
 * `failed` or `disabled` delivery can be requeued (409 otherwise); requeuing it again after it
 * failed again is a new requeue.
 */
export async function requeueFailedDelivery(deps: RewardingDeps, ref: { kind: DeliveryKind; businessId: string }): Promise<RequeuedDelivery> {
  return deps.sequelize.transaction(async (t) => {
    const delivery = await requeueDelivery(deps.sequelize, ref, { transaction: t });
    const work = await restartOf(deps, delivery, t);
    await enqueueWork(deps.sequelize, t, [work]);
    return { delivery, workflowId: work.options.workflowId };
  });
}

/** The start of a new run of the delivery's workflow, with the input its first run had. */
async function restartOf(deps: RewardingDeps, delivery: Delivery, t: Transaction): Promise<OutboxWork & { kind: 'start' }> {
  const restart = `requeue-${delivery.attempts}-${(delivery.requeuedAt ?? delivery.updatedAt).toISOString()}`;
  if (delivery.kind === 'reward_redemption') {
    // Redemptions are started by the issuance workflow (a child), not through the outbox: the input is the reward.
    const options = startOptions.rewardRedemption(
      { rewardId: delivery.businessId, programKey: delivery.programKey ?? '', beneficiaryId: delivery.userId ?? '' },
      deps.startOverrides,
    );
    return { kind: 'start', workflowType: workflowTypes.rewardRedemption, options: { ...options, workflowIdReusePolicy: 'ALLOW_DUPLICATE' } as never, restart };
  }
  const first = delivery.workflowId ? (await outboxMessagesOf(deps.sequelize, delivery.workflowId, t)).find((m) => m.kind === 'start') : undefined;
  if (!first) {
    throw new RewardingError('delivery_not_restartable', `the ${delivery.kind} of ${delivery.businessId} has no queued workflow start to run again`, {
      details: { kind: delivery.kind, businessId: delivery.businessId, workflowId: delivery.workflowId },
    });
  }
  return { kind: 'start', workflowType: first.workflowType, options: { ...first.options, workflowIdReusePolicy: 'ALLOW_DUPLICATE' } as never, restart };
}
