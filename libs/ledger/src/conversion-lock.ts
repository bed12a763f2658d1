import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './ledger-sql';

/**
 * Serializes everything about one conversion (= source payment): its grants and its adverse
 * notices take this transaction-scoped advisory lock first. A hash collision between two ids
 * only makes unrelated work wait a moment; it can never let two holders in at once.
 */
export async function lockConversion(sequelize: Sequelize, t: Transaction, conversionId: string): Promise<void> {
  await queryRows(sequelize, t, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [
    `referrals.ledger.conversion:${conversionId}`,
  ]);
}
