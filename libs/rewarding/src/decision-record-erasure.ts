import { countedChange, type ErasureCounts, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * The decision records' part of a user's erasure (issue 15), in the caller's transaction. A record
 * stays (it explains a ledger grant and feeds program-change previews) with the user's id replaced
 * by the pseudonym in its named person columns and wherever its jsonb (rewards, explanation, the
 * host's declared facts) or notes name it.
 */
export async function eraseUserDecisionRecords(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const replace = (column: string) => `regexp_replace(${column}::text, $1, '\\1' || $2, 'g')`;
  const anonymized = await countedChange(
    sequelize,
    transaction,
    `UPDATE rewarding_decision_records
        SET referrer_user_id = ${replace('referrer_user_id')},
            referee_user_id = ${replace('referee_user_id')},
            rewards = ${replace('rewards')}::jsonb,
            explanation = ${replace('explanation')}::jsonb,
            facts = ${replace('facts')}::jsonb,
            notes = ARRAY(SELECT regexp_replace(n, $1, '\\1' || $2, 'g') FROM unnest(notes) AS n)
      WHERE referrer_user_id ~ $1 OR referee_user_id ~ $1 OR rewards::text ~ $1 OR explanation::text ~ $1 OR facts::text ~ $1
         OR array_to_string(notes, ' ') ~ $1
     RETURNING 1`,
    [userIdTokenPattern(input.userId), input.pseudonym],
  );
  return { rewarding_decision_records: { deleted: 0, anonymized } };
}
