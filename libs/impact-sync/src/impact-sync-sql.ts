import { type Sequelize, type Transaction } from 'sequelize';
import { type z } from 'zod';
import { ImpactSyncError } from './impact-sync.errors';

/**
 * Small database plumbing on top of `@referrals/sql` (a domain lib may not import `@referrals/db`).
 */
export { pgErrorOf, queryRows } from '@referrals/sql';

/** A managed READ COMMITTED transaction: committed when `fn` resolves, rolled back when it throws. */
export function inTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction((t) => fn(t));
}

/** Parses an input or fails with `input_invalid` listing every problem with its path. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new ImpactSyncError(
    'input_invalid',
    `${operation}: ${issues.map((i) => `${i.path || '(input)'} ${i.message}`).join('; ')}`,
    {},
    issues,
  );
}

/** A bigint/int column as a JS number. */
export function toInt(value: string | number | null): number {
  return value === null ? 0 : Number(value);
}
