import { RETRYABLE_SQLSTATES, sqlStateOf } from '@referrals/sql';
import { type Sequelize, Transaction } from 'sequelize';

export type IsolationLevel = 'read_committed' | 'repeatable_read' | 'serializable';

const ISOLATION: Record<IsolationLevel, Transaction.ISOLATION_LEVELS> = {
  read_committed: Transaction.ISOLATION_LEVELS.READ_COMMITTED,
  repeatable_read: Transaction.ISOLATION_LEVELS.REPEATABLE_READ,
  serializable: Transaction.ISOLATION_LEVELS.SERIALIZABLE,
};


export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** Extra attempts after a serialization failure or deadlock; the work must be safe to re-run. */
  retries?: number;
}

/**
 * Runs `work` in one database transaction: committed when it resolves, rolled back when it throws.
 * Serialization failures and deadlocks are retried (a fresh transaction each time), because under
 * `serializable` they are the expected answer to a race, not a bug.
 */
export async function withTransaction<T>(
  sequelize: Sequelize,
  work: (transaction: Transaction) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await sequelize.transaction({ isolationLevel: ISOLATION[options.isolation ?? 'read_committed'] }, work);
    } catch (error) {
      const state = sqlStateOf(error);
      if (attempt >= retries || state === undefined || !RETRYABLE_SQLSTATES.has(state)) throw error;
      // Small jittered pause so two racing transactions do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.floor(Math.random() * 20) * (attempt + 1)));
    }
  }
}
