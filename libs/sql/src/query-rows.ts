import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

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
    name = `s_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    statementNames.set(sql, name);
  }
  return name;
}

export interface QueryRowsOptions {
  /**
   * Inside a transaction, run the statement directly on the transaction's node-postgres connection
   * instead of through Sequelize's query pipeline (bind values then follow node-postgres's
   * conversions, not Sequelize's). Hot paths use it: Sequelize's per-query work was a visible
   * share of the ledger's grant.
   */
  direct?: boolean;
  /**
   * With `direct`: run it as a NAMED prepared statement, so PostgreSQL parses and plans it once
   * per connection and reuses the plan. Only for fixed statements whose best plan cannot change
   * as the tables grow (a plan is cached with the statistics of its first runs), and never with
   * values spliced into the text.
   */
  prepare?: boolean;
}

/**
 * Runs one SQL statement with positional bind parameters (`$1`) and returns its rows (also for
 * INSERT/UPDATE … RETURNING). Outside a transaction, or without `direct`, Sequelize runs it.
 */
export async function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
  options: QueryRowsOptions = {},
): Promise<T[]> {
  const connection = options.direct ? pgConnectionOf(transaction) : undefined;
  if (connection) {
    const values = [...bind];
    const result = await connection.query(options.prepare ? { name: statementName(sql), text: sql, values } : { text: sql, values });
    return result.rows as T[];
  }
  // QueryTypes.SELECT returns the rows of any statement, including INSERT/UPDATE ... RETURNING.
  return sequelize.query<T>(sql, { bind: bind as unknown[], type: QueryTypes.SELECT, transaction });
}

/**
 * A transaction-scoped advisory lock on a business key: everything holding the same key runs one
 * after the other until the transaction ends. A hash collision between two keys only makes
 * unrelated work wait a moment.
 */
export async function lockBusinessKey(sequelize: Sequelize, transaction: Transaction, key: string): Promise<void> {
  await queryRows(sequelize, transaction, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [key], { direct: true, prepare: true });
}

/**
 * Several business-key locks in ONE round trip, taken in the order given (callers keep one order
 * everywhere, so two transactions never wait for each other crosswise). The ordinality keeps the
 * array's order: PostgreSQL evaluates a volatile call in the select list after the ORDER BY.
 */
export async function lockBusinessKeys(sequelize: Sequelize, transaction: Transaction, keys: readonly string[]): Promise<void> {
  await queryRows(
    sequelize,
    transaction,
    'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) AS locked FROM unnest($1::text[]) WITH ORDINALITY AS keys(k, n) ORDER BY n',
    [keys],
    { direct: true, prepare: true },
  );
}
