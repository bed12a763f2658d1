import {
  type BackfillRedemptionsInput,
  type BackfillRedemptionsResult,
  type ExpireRewardsInput,
  type ExpireRewardsResult,
} from '../contracts/schedules.contract';
import { ledger, loadWorkflowSettings } from './activity-proxies';
import { startRedemption } from './start-redemption';

/**
 * Scheduled (hourly by default): expires pending rewards past their expiry, one ledger
 * transaction per batch, until none is due or the run's batch budget is spent.
 */
export async function expireRewards(input: ExpireRewardsInput = {}): Promise<ExpireRewardsResult> {
  const settings = await loadWorkflowSettings();
  const batchSize = input.batchSize ?? settings.expireBatchSize;
  const maxBatches = input.maxBatches ?? settings.expireMaxBatches;
  let expired = 0;
  for (let batches = 1; ; batches++) {
    const batch = await ledger.expireRewardBatch({ batchSize });
    expired += batch.expired;
    if (!batch.hasMore || batches >= maxBatches) return { expired, batches, hasMore: batch.hasMore };
  }
}

/**
 * Scheduled: starts the redemption workflow of every applied reward that has none recorded (a
 * crash between applying and starting, an api that could not reach Temporal...). Starting one
 * that exists is a no-op.
 */
export async function backfillRedemptions(input: BackfillRedemptionsInput = {}): Promise<BackfillRedemptionsResult> {
  const settings = await loadWorkflowSettings();
  const rewards = await ledger.findRewardsWithoutRedemption({ limit: input.limit ?? settings.backfillBatchSize });
  const outcomes = await Promise.all(
    rewards.map((r) => startRedemption({ rewardId: r.rewardId, programKey: r.programKey, beneficiaryId: r.beneficiaryId })),
  );
  return {
    rewardIds: rewards.map((r) => r.rewardId),
    started: outcomes.filter((o) => o === 'started').length,
    alreadyStarted: outcomes.filter((o) => o === 'already_started').length,
  };
}
