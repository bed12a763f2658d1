import { countedChange, type ErasureCounts, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * The outbox's part of a user's erasure (issue 15), in the caller's transaction: rows naming the
 * user (in the workflow id, dedupe key or start options) are deleted. Relayed rows are done work;
 * a row not relayed yet is work about a user who no longer exists here (a registration, a report),
 * which must not start after the erasure. Schedule runs name operators and reward ids only.
 */
export async function eraseUserOutbox(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const deleted = await countedChange(
    sequelize,
    transaction,
    `DELETE FROM outbox_messages WHERE workflow_id ~ $1 OR dedupe_key ~ $1 OR options::text ~ $1 RETURNING 1`,
    [userIdTokenPattern(input.userId)],
  );
  return { outbox_messages: { deleted, anonymized: 0 } };
}
