import { type AdvocateReward } from './advocate.schemas';
import { unitAmountToMinor } from './amounts';

export interface RewardCriteria {
  /**
   * The product's Advocate program. Programs may share a tenant: a reward of another program (or of
   * none: `programId` null, documented for rewards not tied to a program) is never ours to redeem.
   */
  programId: string;
  /** The configured reward unit; compared case-insensitively. */
  unit: string;
  /** The local reward's amount in minor units. */
  amountMinor: number;
  /** Decimal places of one reward unit (see `rewardUnitDecimals`). */
  unitDecimals: number;
  /**
   * Impact reward ids already chosen by *other* local rewards. Without this, two local rewards of
   * the same referrer redeemed concurrently could both pick the same Impact reward.
   */
  excludeRewardIds?: readonly string[];
}

/** Why a reward was passed over, in the order the rules are checked. */
export type RewardRejectionReason =
  | 'missing_id'
  | 'not_credit'
  | 'program_mismatch'
  | 'unit_mismatch'
  | 'cancelled'
  | 'already_redeemed'
  | 'insufficient_credit'
  | 'amount_mismatch'
  | 'claimed_by_other_reward';

export interface RewardRejection {
  rewardId: string | null;
  reason: RewardRejectionReason;
}

export type RewardSelection =
  | { kind: 'selected'; rewardId: string; reward: AdvocateReward; rejected: RewardRejection[] }
  | { kind: 'none'; rejected: RewardRejection[] };

function rejectionOf(reward: AdvocateReward, criteria: RewardCriteria): RewardRejectionReason | null {
  if (!reward.id) return 'missing_id';
  if (reward.type && reward.type.toUpperCase() !== 'CREDIT') return 'not_credit';
  if ((reward.programId ?? null) !== criteria.programId) return 'program_mismatch';
  if (!reward.unit || reward.unit.toLowerCase() !== criteria.unit.toLowerCase()) return 'unit_mismatch';
  if (reward.dateCancelled !== null && reward.dateCancelled !== undefined) return 'cancelled';
  // Any earlier redemption means the reward was consumed for some local reward already; redeeming
  // its remainder for another one would count the same Impact credit twice.
  if ((reward.redeemedCredit ?? 0) > 0 || (reward.redemptions?.length ?? 0) > 0) return 'already_redeemed';
  const remainingMinor = unitAmountToMinor((reward.assignedCredit ?? 0) - (reward.redeemedCredit ?? 0), criteria.unitDecimals);
  if (!(remainingMinor >= criteria.amountMinor)) return 'insufficient_credit';
  // One Impact reward per local reward, of the same amount: a larger credit belongs to something else.
  if (remainingMinor !== criteria.amountMinor) return 'amount_mismatch';
  if (criteria.excludeRewardIds?.includes(reward.id)) return 'claimed_by_other_reward';
  return null;
}

/**
 * Picks the Impact reward to redeem for one local reward (impact-api.md §1): the first reward with
 * an id, type CREDIT (or no type), this product's program, the configured unit, remaining credit
 * equal to the local amount, and neither redeemed nor cancelled. `none` means "not visible yet": the caller retries later. The rejections
 * say why each reward was passed over, for logs and support.
 */
export function selectReward(rewards: readonly AdvocateReward[], criteria: RewardCriteria): RewardSelection {
  const rejected: RewardRejection[] = [];
  for (const reward of rewards) {
    const reason = rejectionOf(reward, criteria);
    if (reason === null && reward.id) return { kind: 'selected', rewardId: reward.id, reward, rejected };
    rejected.push({ rewardId: reward.id ?? null, reason: reason ?? 'missing_id' });
  }
  return { kind: 'none', rejected };
}
