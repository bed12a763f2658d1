import { countedChange, type ErasureCounts, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * The idempotency store's part of a user's erasure (issue 15), in the caller's transaction. A
 * stored answer naming the user keeps answering retries, with the user id replaced by the
 * pseudonym (a retried payment gets the same, anonymized, answer instead of being processed
 * again); an answer holding one of the user's emails, or stored under a key naming the user, is
 * deleted. In-flight claims hold no answers and expire on their own.
 */
export async function eraseUserIdempotentAnswers(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const pattern = userIdTokenPattern(input.userId);
  const emails = [...new Set((input.emails ?? []).map((e) => e.toLowerCase()))];
  const holdsEmail = `EXISTS (SELECT 1 FROM unnest($2::text[]) AS e WHERE position(e IN lower(response_body::text)) > 0)`;
  const deleted = await countedChange(
    sequelize,
    transaction,
    `DELETE FROM idempotency_keys WHERE key ~ $1 OR ${holdsEmail} RETURNING 1`,
    [pattern, emails],
  );
  const anonymized = await countedChange(
    sequelize,
    transaction,
    `UPDATE idempotency_keys SET response_body = regexp_replace(response_body::text, $1, '\\1' || $2, 'g')::jsonb
      WHERE response_body::text ~ $1 RETURNING 1`,
    [pattern, input.pseudonym],
  );
  return { idempotency_keys: { deleted, anonymized } };
}
