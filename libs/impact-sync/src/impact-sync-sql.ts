import { inputParser } from '@referrals/errors';
import { type Sequelize, type Transaction } from 'sequelize';
import { ImpactSyncError } from './impact-sync.errors';

/**
 * Small database plumbing on top of `@referrals/sql` (a domain lib may not import `@referrals/db`).
 */
export { pgErrorOf, queryRows } from '@referrals/sql';

/** A managed READ COMMITTED transaction: committed when `fn` resolves, rolled back when it throws. */
export function inTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction((t) => fn(t));
}

/** Parses an input or fails with one `input_invalid` ImpactSyncError listing every problem (see @referrals/errors). */
export const parseInput = inputParser(ImpactSyncError);

/** A bigint/int column as a JS number. */
export function toInt(value: string | number | null): number {
  return value === null ? 0 : Number(value);
}
