import { type DeliveryResult } from './delivery.contract';

/** Input of `redeemReward`: one per applied local reward. Workflow id: `workflowIds.rewardRedemption(rewardId)`. */
export interface RedeemRewardInput {
  /** The ledger reward id (applied). The workflow reads amount, unit and product from the ledger. */
  rewardId: string;
  /** Search attributes and memo only (the Temporal UI finds the workflow by them). */
  programKey: string;
  beneficiaryId: string;
  /** Internal: the attempt a continued-as-new run resumes at. */
  resumeAtAttempt?: number;
}

/**
 * `succeeded` (redeemed, or already redeemed by an earlier attempt of this reward), `failed`
 * (permanent: no further calls), `disabled` (no Advocate configuration), `suppressed` (the reward
 * is no longer applied: reversed, canceled...). `details.chosenImpactRewardId` names the Impact reward.
 */
export type RedeemRewardResult = DeliveryResult;

export type RedeemRewardWorkflow = (input: RedeemRewardInput) => Promise<RedeemRewardResult>;
