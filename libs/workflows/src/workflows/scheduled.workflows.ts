import {
  type BackfillRedemptionsInput,
  type BackfillRedemptionsResult,
  type ExpireRewardsInput,
  type ExpireRewardsResult,
  MAX_LISTED_IDS,
  type PurgeTouchesInput,
  type PurgeTouchesResult,
  type VerifyLedgerInput,
  type VerifyLedgerResult,
} from '../contracts/schedules.contract';
import { touchRetentionOf } from '../settings';
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
  const expiredRewardIds: string[] = [];
  for (let batches = 1; ; batches++) {
    const batch = await ledger.expireRewardBatch({ batchSize });
    expired += batch.expired;
    // Batches recorded before the ids were returned have none (replayed histories).
    expiredRewardIds.push(...(batch.rewardIds ?? []).slice(0, Math.max(0, MAX_LISTED_IDS - expiredRewardIds.length)));
    if (!batch.hasMore || batches >= maxBatches) return recorded(input.runId, { expired, expiredRewardIds, batches, hasMore: batch.hasMore });
  }
}

/** An operator-requested run (`runId`) writes its result to PostgreSQL before returning it. */
async function recorded<R extends ExpireRewardsResult | BackfillRedemptionsResult | VerifyLedgerResult | PurgeTouchesResult>(runId: string | undefined, result: R): Promise<R> {
  if (runId !== undefined) await ledger.recordScheduleRun({ runId, result: { ...result } });
  return result;
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
  return recorded(input.runId, {
    rewardIds: rewards.map((r) => r.rewardId),
    started: outcomes.filter((o) => o === 'started').length,
    alreadyStarted: outcomes.filter((o) => o === 'already_started').length,
  });
}

/**
 * Scheduled (hourly by default): verifies the ledger's invariants (verifyLedger, one consistent
 * snapshot) and records the result, which the api shows in ops and as a metric.
 */
export async function verifyLedgerBooks(input: VerifyLedgerInput = {}): Promise<VerifyLedgerResult> {
  return recorded(input.runId, await ledger.runLedgerVerification({}));
}

/**
 * Scheduled (daily by default; retention, issue 15 item 5): deletes touches older than the
 * retention period (TOUCH_RETENTION_DAYS, 90 days) that never attributed anything, one
 * transaction per batch, until none is due or the run's batch budget is spent.
 */
export async function purgeStaleTouches(input: PurgeTouchesInput = {}): Promise<PurgeTouchesResult> {
  const retention = touchRetentionOf(await loadWorkflowSettings());
  const batchSize = input.batchSize ?? retention.batchSize;
  const maxBatches = input.maxBatches ?? retention.maxBatches;
  let deleted = 0;
  for (let batches = 1; ; batches++) {
    const batch = await ledger.purgeStaleTouchBatch({ retentionDays: retention.retentionDays, batchSize });
    deleted += batch.deleted;
    if (!batch.hasMore || batches >= maxBatches) {
      return recorded(input.runId, { deleted, retentionDays: retention.retentionDays, batches, hasMore: batch.hasMore });
    }
  }
}
