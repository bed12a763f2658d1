import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { actorSchema, externalId, parseInput, reasonSchema } from './ledger.schemas';
import { inLedgerTransaction, type JoinTransaction } from './ledger-sql';
import { toReward, transitionRewards, type Reward } from './reward-rows';

const cancelSchema = z.object({
  programKey: externalId,
  actor: actorSchema,
  reason: reasonSchema,
});

export type CancelProgramRewardsInput = z.input<typeof cancelSchema>;

/**
 * A retired program's open rewards end (Kilo rule 69c): every `pending` or `earned` reward of the
 * program is canceled, its amount booked to the reversed account and its referrer's cap slot given
 * back, each with an audit row (operation `program_retired`, the actor and the reason). Applied
 * rewards stand: they changed billing already. Idempotent: a canceled reward is no longer open.
 * Joins the caller's transaction (the retirement's one transaction).
 */
export async function cancelProgramRewards(sequelize: Sequelize, input: CancelProgramRewardsInput, options: JoinTransaction = {}): Promise<Reward[]> {
  const c = parseInput(cancelSchema, input, 'cancelProgramRewards');
  return inLedgerTransaction(
    sequelize,
    async (t) => {
      const moved = await transitionRewards(sequelize, t, {
        selection: { by: 'program', programKey: c.programKey },
        from: ['pending', 'earned'],
        to: 'canceled',
        operation: 'program_retired',
        actor: c.actor,
        reason: c.reason,
        externalIds: { program_key: c.programKey },
      });
      return moved.map(({ row }) => toReward(row));
    },
    options.transaction,
  );
}
