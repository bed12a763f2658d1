import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { type z } from 'zod';
import { ImpactSyncError } from './impact-sync.errors';

/**
 * Small database plumbing. impact-sync may not import `@referrals/db` (a domain lib depends on no
 * infrastructure lib), so the few helpers it needs live here.
 */

/** Runs one statement with positional bind parameters (`$1`) and returns its rows. */
export function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
): Promise<T[]> {
  // QueryTypes.SELECT returns the rows of any statement, including INSERT/UPDATE ... RETURNING.
  return sequelize.query<T>(sql, { bind: bind as unknown[], type: QueryTypes.SELECT, transaction });
}

/** A managed READ COMMITTED transaction: committed when `fn` resolves, rolled back when it throws. */
export function inTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction((t) => fn(t));
}

/** SQLSTATE and constraint of a Sequelize/pg error. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  const e = error as { parent?: { code?: unknown; constraint?: unknown }; original?: { code?: unknown; constraint?: unknown } };
  const source = e?.parent ?? e?.original ?? (error as { code?: unknown; constraint?: unknown });
  return {
    ...(typeof source?.code === 'string' ? { code: source.code } : {}),
    ...(typeof source?.constraint === 'string' ? { constraint: source.constraint } : {}),
  };
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
