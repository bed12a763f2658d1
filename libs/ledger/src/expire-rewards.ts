import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { actorSchema, parseInput, validDate } from './ledger.schemas';
import { inLedgerTransaction } from './ledger-sql';
import { toReward, transitionRewards, type Reward } from './reward-rows';

const expireSchema = z.object({
  /** Pending rewards with `expiresAt <= now` expire (default: the current time). */
  now: validDate.optional(),
  /** How many rewards one call expires at most (one transaction per call). */
  batchSize: z.number().int().min(1).max(5_000).default(500),
  actor: actorSchema.default('system:reward-expiry'),
});

export type ExpireRewardsInput = z.input<typeof expireSchema>;

export interface ExpireRewardsResult {
  expired: Reward[];
  /** True when the batch was full: call again to expire the rest. */
  hasMore: boolean;
}

/**
 * Expires one batch of pending rewards past their expiry, in one transaction, booking each amount
 * from the beneficiary account to the program's expired account. Idempotent (an expired reward is
 * no longer pending) and safe to run concurrently with itself and with application: due rows are
 * locked with SKIP LOCKED, so a reward being applied right now is left to the applier, and each
 * reward ends applied or expired, never both. Schedules call it until `hasMore` is false.
 */
export async function expireRewards(sequelize: Sequelize, input: ExpireRewardsInput = {}): Promise<ExpireRewardsResult> {
  const e = parseInput(expireSchema, input, 'expireRewards');
  const now = e.now ?? new Date();
  const moved = await inLedgerTransaction(sequelize, (t) =>
    transitionRewards(sequelize, t, {
      selection: { by: 'due', now, limit: e.batchSize },
      from: ['pending'],
      to: 'expired',
      operation: 'expire',
      actor: e.actor,
      reason: 'unconsumed past its expiry',
      externalIds: { expired_as_of: now.toISOString() },
    }),
  );
  return { expired: moved.map(({ row }) => toReward(row)), hasMore: moved.length === e.batchSize };
}
