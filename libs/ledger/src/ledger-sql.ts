import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { LedgerError } from './ledger.errors';

/**
 * Small database plumbing of the ledger. The ledger may not import `@referrals/db` (a domain lib
 * depends on no infrastructure lib), so the few helpers it needs live here.
 */

/** The node-postgres client under a Sequelize transaction (Sequelize sets `connection` on it). */
interface PgConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function pgConnectionOf(transaction: Transaction | undefined): PgConnection | undefined {
  const connection = (transaction as unknown as { connection?: Partial<PgConnection> } | undefined)?.connection;
  return typeof connection?.query === 'function' ? (connection as PgConnection) : undefined;
}

const statementNames = new Map<string, string>();

/** A stable name per statement text: node-postgres prepares it once per connection. */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `ledger_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * Runs one SQL statement with positional bind parameters (`$1`) and returns its rows.
 *
 * Inside a transaction it runs on the transaction's own connection, directly through
 * node-postgres. With `prepare`, as a NAMED prepared statement: PostgreSQL parses and plans it
 * once per connection and then reuses the plan, which is what makes the grant (the hot path, one
 * large statement) cheap. Only statements whose plan cannot go stale get that: a plan is cached
 * with the table statistics of its first runs, and a statement whose best plan changes as the
 * tables grow (from a sequential scan to an index lookup) must be planned per call, as every other
 * statement is. Outside a transaction (read models), Sequelize runs it as usual.
 */
export async function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
  options: { prepare?: boolean } = {},
): Promise<T[]> {
  const connection = pgConnectionOf(transaction);
  if (connection) {
    const values = [...bind];
    const result = await connection.query(options.prepare ? { name: statementName(sql), text: sql, values } : { text: sql, values });
    return result.rows as T[];
  }
  // QueryTypes.SELECT returns the rows of any statement, including INSERT/UPDATE ... RETURNING.
  return sequelize.query<T>(sql, { bind: bind as unknown[], type: QueryTypes.SELECT, transaction });
}

/** SQLSTATE (and constraint name) of a Sequelize/pg error. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  const e = error as { parent?: { code?: unknown; constraint?: unknown }; original?: { code?: unknown; constraint?: unknown } };
  const source = e?.parent ?? e?.original ?? (error as { code?: unknown; constraint?: unknown });
  return {
    ...(typeof source?.code === 'string' ? { code: source.code } : {}),
    ...(typeof source?.constraint === 'string' ? { constraint: source.constraint } : {}),
  };
}

const RETRYABLE_SQLSTATES = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);
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
 */
export async function inLedgerTransaction<T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>): Promise<T> {
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
          lastError: error instanceof Error ? error.message : String(error),
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
    return new LedgerError('exceeds_credits', 'the debit would take an account below zero', { constraint });
  }
  // 23xxx: integrity constraint violations; P0001/55000: our triggers' refusals.
  if (code.startsWith('23') || code === 'P0001' || code === '55000') {
    return new LedgerError('ledger_invariant_broken', message, { sqlState: code, ...(constraint ? { constraint } : {}) });
  }
  return error;
}

/** sha256 of a canonical JSON form: same content, whatever the key order, gives the same hash. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
 * A bigint column (pg returns int8 as a string) as a JS number, refusing anything that a number
 * cannot hold exactly: money is never silently rounded.
 */
export function safeInteger(value: string | number | bigint | null | undefined, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || !Number.isSafeInteger(n) || String(value) !== String(n)) {
    throw new LedgerError('ledger_invariant_broken', `${what} is not a safe integer: ${String(value)}`, { what });
  }
  return n;
}

export function nullableSafeInteger(value: string | number | null | undefined, what: string): number | null {
  return value === null || value === undefined ? null : safeInteger(value, what);
}
