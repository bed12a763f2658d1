import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { type DeliveryProgress } from '../contracts/delivery.contract';
import { type RedeemRewardInput, type RedeemRewardResult } from '../contracts/reward-redemption.contract';
import { deliveryProgressQuery } from '../signals';
import { deliveryActivities, loadWorkflowSettings } from './activity-proxies';
import { runDelivery } from './delivery-loop';

/**
 * Redeems an applied local reward in Impact Advocate: look up the beneficiary's Impact rewards,
 * select one, persist the chosen id, redeem (with the previously chosen id, so "already redeemed"
 * after a lost answer counts as success). Transient outcomes retry with capped exponential
 * backoff, each attempt visible in impact-sync; permanent ones end `failed` with no further calls.
 */
export async function redeemReward(input: RedeemRewardInput): Promise<RedeemRewardResult> {
  let progress: DeliveryProgress | null = null;
  setHandler(deliveryProgressQuery, () => progress);
  const settings = await loadWorkflowSettings();
  const delivery = deliveryActivities(settings);
  const opened = await delivery.openRewardRedemption({ rewardId: input.rewardId, workflowId: workflowInfo().workflowId });
  return runDelivery({
    opened,
    settings,
    resumeAtAttempt: input.resumeAtAttempt,
    attempt: (context) => delivery.attemptRewardRedemption({ ...context, rewardId: input.rewardId }),
    continueAsNewAt: (attempt) => continueAsNew<typeof redeemReward>({ ...input, resumeAtAttempt: attempt }),
    onProgress: (p) => {
      progress = p;
    },
    fail: (failure) => delivery.failDeliveryAfterError(failure),
  });
}
