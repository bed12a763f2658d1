import { countedChange, type ErasureCounts, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';

/**
 * Where the ledger holds a user's id. Identity columns hold it whole; free-text and jsonb columns
 * (reasons, actors, external ids, issuance facts) may name it inside a longer value.
 */
const USER_COLUMNS: readonly { table: string; columns: readonly string[]; json?: readonly string[] }[] = [
  { table: 'ledger_accounts', columns: ['owner_id'] },
  { table: 'ledger_rewards', columns: ['referrer_id', 'referee_id', 'beneficiary_id'] },
  { table: 'ledger_referrer_caps', columns: ['referrer_id'] },
  { table: 'ledger_issuances', columns: ['beneficiary_id'] },
  { table: 'ledger_issuance_outcomes', columns: ['subscriber_id', 'reason', 'decided_by'], json: ['facts'] },
  { table: 'ledger_issuance_items', columns: ['actor', 'reason'] },
  { table: 'ledger_reward_events', columns: ['actor', 'reason'], json: ['external_ids'] },
  { table: 'ledger_transactions', columns: ['reason'], json: ['external_ids'] },
  { table: 'ledger_adverse_notices', columns: ['actor', 'reason'], json: ['changes'] },
];

/**
 * The ledger's part of a user's erasure (issue 15), in the caller's transaction (which called
 * `allowErasureInTransaction`). Accounting history stays whole: no row is deleted and no amount,
 * status or entry changes; the user's id is replaced by its pseudonym wherever the ledger holds it.
 * Every row of one user gets the same pseudonym, so the user's account keeps its balance, the
 * rewards still name their account's owner and `verifyLedger` finds what it found before.
 */
export async function pseudonymizeLedgerUser(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const pattern = userIdTokenPattern(input.userId);
  const counts: ErasureCounts = {};
  for (const { table, columns, json = [] } of USER_COLUMNS) {
    const sets = [
      ...columns.map((c) => `${c} = regexp_replace(${c}, $1, '\\1' || $2, 'g')`),
      ...json.map((c) => `${c} = regexp_replace(${c}::text, $1, '\\1' || $2, 'g')::jsonb`),
    ];
    const where = [...columns.map((c) => `${c} ~ $1`), ...json.map((c) => `${c}::text ~ $1`)].join(' OR ');
    const anonymized = await countedChange(sequelize, transaction, `UPDATE ${table} SET ${sets.join(', ')} WHERE ${where} RETURNING 1`, [pattern, input.pseudonym]);
    counts[table] = { deleted: 0, anonymized };
  }
  return counts;
}
