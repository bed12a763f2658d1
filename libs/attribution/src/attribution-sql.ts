import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/*
 * The little database plumbing this lib needs. A domain lib may not import `@referrals/db`, so it
 * keeps its own copy of these few helpers (as the ledger does).
 */

/** Runs one SQL statement with positional bind parameters (`$1`) and returns its rows. */
export async function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
): Promise<T[]> {
  // QueryTypes.SELECT returns the rows of any statement, including INSERT/UPDATE ... RETURNING.
  return sequelize.query<T>(sql, { bind: bind as unknown[], type: QueryTypes.SELECT, transaction });
}

/** SQLSTATE and constraint name of a Sequelize/pg error. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  const e = error as { parent?: { code?: unknown; constraint?: unknown }; original?: { code?: unknown; constraint?: unknown } };
  const source = e?.parent ?? e?.original ?? (error as { code?: unknown; constraint?: unknown });
  return {
    ...(typeof source?.code === 'string' ? { code: source.code } : {}),
    ...(typeof source?.constraint === 'string' ? { constraint: source.constraint } : {}),
  };
}

/** sha256 of a canonical JSON form: the same content, whatever its key order, gives the same hash. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A transaction-scoped advisory lock on a business key: everything holding the same key runs one
 * after the other. A hash collision between two keys only makes unrelated work wait a moment.
 */
export async function lockKey(sequelize: Sequelize, transaction: Transaction, key: string): Promise<void> {
  await queryRows(sequelize, transaction, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [`referrals.attribution.${key}`]);
}

/** A bigint id as pg returns it (a string), or null. */
export function idOrNull(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}
