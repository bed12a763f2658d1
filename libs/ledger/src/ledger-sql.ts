import { createHash } from 'node:crypto';
import { contentHash, pgErrorOf, queryRows as sharedQueryRows, RETRYABLE_SQLSTATES } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { LedgerError } from './ledger.errors';

/**
 * The ledger's database plumbing: its transaction runner (restarts, error translation) and exact
 * integer reading, over the shared SQL helpers of @referrals/sql.
 */

/**
 * Every ledger statement inside a transaction runs directly on the transaction's node-postgres
 * connection (see `queryRows` of @referrals/sql); `prepare` makes the hot, plan-stable ones named
 * prepared statements — what made the grant (one large statement) cheap.
 */
export function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
  options: { prepare?: boolean } = {},
): Promise<T[]> {
  return sharedQueryRows<T>(sequelize, transaction, sql, bind, { direct: true, ...options });
}

/**
 * Unique keys on which two concurrent first-time requests can collide (a conversion's role, a
 * claim key, a notice id, an issuance id): the loser restarts, and its second run finds the winner's row and answers as a
 * replay, a conflict or `slot_taken`.
 */
const RESTART_ON_UNIQUE = new Set([
  'ledger_rewards_one_per_conversion_role',
  'ledger_issuance_items_claim_key',
  'ledger_adverse_notices_pkey',
  'ledger_issuances_pkey',
]);
const MAX_ATTEMPTS = 6;

/** Runs a ledger operation inside the caller's transaction instead of one of its own (see inLedgerTransaction). */
export interface JoinTransaction {
  transaction?: Transaction;
}

/** Thrown inside a ledger transaction to roll it back and run the whole work again. */
export class RestartTransaction extends Error {
  constructor(reason: string) {
    super(`restart: ${reason}`);
    this.name = 'RestartTransaction';
  }
}

/**
 * Runs `work` in one READ COMMITTED transaction. Correctness never relies on the isolation level:
 * every decision is taken under an explicit lock (a conversion advisory lock, a cap row, a reward
 * row) or by a unique constraint, which keeps hot paths free of serialization aborts. A deadlock
 * (possible when two operations lock the same two rows in another order) or a RestartTransaction
 * rolls everything back and runs `work` again from scratch; `work` must therefore decide only from
 * what it reads inside the transaction. Constraint violations that mean a broken invariant become
 * `ledger_invariant_broken` (or the precise floor code), never a half-written ledger.
 *
 * With `outer`, `work` runs in the caller's transaction as it is: a caller that joins ledger
 * operations to its own transaction runs that transaction through this function too, so that the
 * same restarts apply to the whole of it.
 */
export async function inLedgerTransaction<T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>, outer?: Transaction): Promise<T> {
  // Joined to a caller's transaction: the caller's runner restarts the whole of it (a restart of
  // this part alone is impossible once a statement failed inside the caller's transaction).
  if (outer) return work(outer);
  for (let attempt = 1; ; attempt++) {
    try {
      return await sequelize.transaction((t) => work(t));
    } catch (error) {
      const { code, constraint } = pgErrorOf(error);
      const restart =
        error instanceof RestartTransaction ||
        (code !== undefined && RETRYABLE_SQLSTATES.has(code)) ||
        (code === '23505' && constraint !== undefined && RESTART_ON_UNIQUE.has(constraint));
      if (!restart) throw translateDatabaseError(error);
      if (attempt >= MAX_ATTEMPTS) {
        throw new LedgerError('transaction_conflict', `the ledger transaction was aborted ${attempt} times`, {
          details: {
            lastError: error instanceof Error ? error.message : String(error),
          },
        });
      }
      // Jittered, growing pause so two racing transactions do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 10 * attempt) + 2));
    }
  }
}

/** Maps the database's refusals (CHECK constraints, triggers) to ledger errors. */
export function translateDatabaseError(error: unknown): unknown {
  if (error instanceof LedgerError) return error;
  const { code, constraint } = pgErrorOf(error);
  if (code === undefined) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (constraint === 'ledger_accounts_debits_must_not_exceed_credits') {
    return new LedgerError('exceeds_credits', 'the debit would take an account below zero', { details: { constraint } });
  }
  // 23xxx: integrity constraint violations; P0001/55000: our triggers' refusals.
  if (code.startsWith('23') || code === 'P0001' || code === '55000') {
    return new LedgerError('ledger_invariant_broken', message, { details: { sqlState: code, ...(constraint ? { constraint } : {}) } });
  }
  return error;
}

export { contentHash, pgErrorOf };

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A bigint column (pg returns int8 as a string) as a JS number, refusing anything that a number
 * cannot hold exactly: money is never silently rounded.
 */
export function safeInteger(value: string | number | bigint | null | undefined, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || !Number.isSafeInteger(n) || String(value) !== String(n)) {
    throw new LedgerError('ledger_invariant_broken', `${what} is not a safe integer: ${String(value)}`, { details: { what } });
  }
  return n;
}

export function nullableSafeInteger(value: string | number | null | undefined, what: string): number | null {
  return value === null || value === undefined ? null : safeInteger(value, what);
}
