import { createHmac } from 'node:crypto';
import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './query-rows';

/**
 * The shared vocabulary of a user's erasure (GDPR deletion). Each table-owning lib exports its
 * own `eraseUser...` step that deletes or anonymizes the rows of ITS tables and answers these
 * counts; one use case (`eraseUser` in @referrals/rewarding) runs every step in one transaction.
 */

/** What one step did to one table: rows deleted, rows kept with the personal values replaced. */
export interface TableErasure {
  readonly deleted: number;
  readonly anonymized: number;
}

/** Per table name. A table a step looked at but found nothing in is reported with zeros. */
export type ErasureCounts = Record<string, TableErasure>;

/** What every step receives: the erased user's id, its pseudonym, and what else identifies them. */
export interface UserErasureInput {
  readonly userId: string;
  /** `erasedUserPseudonym(secret, userId)`: what stays where history must stay whole (the ledger). */
  readonly pseudonym: string;
  /** The user's emails the erasure knows of (read from the tables, or given by the operator). */
  readonly emails?: readonly string[];
}

/**
 * The stable pseudonym of an erased user: `erased:` + HMAC-SHA-256 of the id under a server secret
 * (the tombstone secret). The same user always gets the same pseudonym (balances and caps stay
 * one account; a second erase finds nothing), and without the secret the id cannot be recovered by
 * hashing candidate ids.
 */
export function erasedUserPseudonym(secret: string, userId: string): string {
  return `erased:${createHmac('sha256', secret).update(`user:${userId}`, 'utf8').digest('hex')}`;
}

/**
 * Lets the rows the schema guards as history (immutable triggers of attribution and the ledger)
 * be anonymized or deleted by an erasure, for the rest of THIS transaction only: those triggers
 * check `referrals.erasure` (set with `is_local`, gone at COMMIT or ROLLBACK). Call it inside the
 * erasure's transaction only.
 */
export async function allowErasureInTransaction(sequelize: Sequelize, transaction: Transaction): Promise<void> {
  await queryRows(sequelize, transaction, `SELECT set_config('referrals.erasure', 'on', true) AS erasure`);
}

/** Runs a DELETE/UPDATE ... RETURNING 1 and answers how many rows it touched. */
export async function countedChange(sequelize: Sequelize, transaction: Transaction, sql: string, bind: readonly unknown[]): Promise<number> {
  const rows = await queryRows<{ n: number }>(sequelize, transaction, `WITH changed AS (${sql}) SELECT count(*)::int AS n FROM changed`, bind);
  return rows[0]?.n ?? 0;
}

/** A JSON string literal of a value, to find it as a whole string inside jsonb text (`"u-1"` is not in `"u-10"`). */
export function jsonStringLiteral(value: string): string {
  return JSON.stringify(value);
}

/**
 * A PostgreSQL regular expression finding `userId` as a whole token (not inside a longer id:
 * `u-1` is not found in `u-10`), for ids embedded in longer values such as workflow ids
 * (`participant-registration-kilo_pass-u-1`). Group 1 is the character before it: replace with
 * `'\\1' || pseudonym`.
 */
export function userIdTokenPattern(userId: string): string {
  const escaped = userId.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  return `(^|[^A-Za-z0-9_])${escaped}(?=[^A-Za-z0-9_]|$)`;
}
