import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { LedgerError } from './ledger.errors';
import { actorSchema, externalIdsSchema, parseInput, reasonSchema } from './ledger.schemas';
import { inLedgerTransaction, RestartTransaction } from './ledger-sql';
import { findReward, lastRewardEvent, toReward, transitionRewards, type Reward } from './reward-rows';
import { type RewardOperation, type RewardState } from './reward-states';

const rewardIdSchema = z.string().regex(/^[1-9]\d{0,18}$/, 'must be a reward id');

const resolveSchema = z.object({
  rewardId: rewardIdSchema,
  /** `keep`: the customer keeps the benefit (back to applied); `reverse`: it is taken back. */
  decision: z.enum(['keep', 'reverse']),
  actor: actorSchema,
  reason: reasonSchema,
  externalIds: externalIdsSchema.default({}),
});

export type ResolveReviewInput = z.input<typeof resolveSchema>;

const releaseSchema = z.object({
  rewardId: rewardIdSchema,
  actor: actorSchema,
  reason: reasonSchema,
  externalIds: externalIdsSchema.default({}),
});

export type ReleaseRewardInput = z.input<typeof releaseSchema>;

export interface SingleRewardResult {
  reward: Reward;
  /** True when this very move had already been made: nothing was written. */
  replayed: boolean;
}

/**
 * An operator's decision on a `review_required` reward (applied, then its payment turned
 * adverse): `keep` moves it back to `applied`; `reverse` moves it to `reversed`, booking its
 * amount from the applied account to the reversed account and giving the referrer's cap slot back.
 * Audited with the operator and reason. Repeating the same decision is a replay; a reward in any
 * other state is `reward_transition_illegal`.
 */
export async function resolveReview(sequelize: Sequelize, input: ResolveReviewInput): Promise<SingleRewardResult> {
  const r = parseInput(resolveSchema, input, 'resolveReview');
  return moveOneReward(sequelize, {
    rewardId: r.rewardId,
    from: 'review_required',
    to: r.decision === 'keep' ? 'applied' : 'reversed',
    operation: r.decision === 'keep' ? 'resolve_review_keep' : 'resolve_review_reverse',
    actor: r.actor,
    reason: r.reason,
    externalIds: r.externalIds,
  });
}

/**
 * Releases an `earned` reward into the beneficiary's queue (`pending`), where issuances consume
 * it and expiry applies. Repeating it is a replay; a reward in any other state is
 * `reward_transition_illegal`.
 */
export async function releaseReward(sequelize: Sequelize, input: ReleaseRewardInput): Promise<SingleRewardResult> {
  const r = parseInput(releaseSchema, input, 'releaseReward');
  return moveOneReward(sequelize, { ...r, from: 'earned', to: 'pending', operation: 'release' });
}

async function moveOneReward(
  sequelize: Sequelize,
  move: {
    rewardId: string;
    from: RewardState;
    to: RewardState;
    operation: RewardOperation;
    actor: string;
    reason: string;
    externalIds: Record<string, string>;
  },
): Promise<SingleRewardResult> {
  return inLedgerTransaction(sequelize, async (t) => {
    const row = await findReward(sequelize, t, move.rewardId);
    if (row.status === move.to) {
      const last = await lastRewardEvent(sequelize, t, move.rewardId);
      if (last && last.from_status === move.from && last.operation === move.operation) {
        return { reward: toReward(row), replayed: true };
      }
    }
    if (row.status !== move.from) {
      throw new LedgerError(
        'reward_transition_illegal',
        `${move.operation} moves a reward from ${move.from} to ${move.to}; reward ${move.rewardId} is ${row.status}`,
        { details: { rewardId: move.rewardId, from: row.status, to: move.to, operation: move.operation } },
      );
    }
    const [moved] = await transitionRewards(sequelize, t, {
      selection: { by: 'ids', ids: [move.rewardId] },
      from: [move.from],
      to: move.to,
      operation: move.operation,
      actor: move.actor,
      reason: move.reason,
      externalIds: move.externalIds,
    });
    // It moved between our read and our lock: decide again from its new state.
    if (!moved) throw new RestartTransaction(`reward ${move.rewardId} changed concurrently`);
    return { reward: toReward(moved.row), replayed: false };
  });
}
