import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { type RedeemRewardInput } from '../contracts/reward-redemption.contract';
import { startOptions } from '../start-options';
import { redeemReward } from './reward-redemption.workflow';

/** A start refused because the workflow id is taken (the redemption exists: nothing to do). */
export function isAlreadyStarted(error: unknown): boolean {
  return error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError';
}

/**
 * Starts the redemption of an applied reward as a child workflow with parent close policy
 * ABANDON: the start is part of the parent's history (durable: a crash right after applying the
 * reward still starts it on replay, exactly once), yet the redemption outlives the parent, which
 * finishes as soon as the child has started. A redemption that already exists (started by the
 * backfill schedule, or earlier) is left alone.
 */
export async function startRedemption(reward: Omit<RedeemRewardInput, 'resumeAtAttempt'>): Promise<'started' | 'already_started'> {
  const o = startOptions.rewardRedemption(reward, { taskQueue: workflowInfo().taskQueue });
  try {
    await startChild(redeemReward, {
      workflowId: o.workflowId,
      args: o.args,
      taskQueue: o.taskQueue,
      typedSearchAttributes: o.typedSearchAttributes,
      memo: o.memo,
      workflowIdReusePolicy: o.workflowIdReusePolicy,
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return 'started';
  } catch (error) {
    if (isAlreadyStarted(error)) return 'already_started';
    throw error;
  }
}
