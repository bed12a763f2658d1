import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** The node-postgres client under a Sequelize transaction (Sequelize sets `connection` on it). */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
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
   * Inside a transaction, run the statement as a NAMED prepared statement on the transaction's own
   * connection, so PostgreSQL parses and plans each fixed statement once per connection instead of
   * on every call (on the ledger's hot path that was the largest cost after the commit itself).
   * Only for fixed statement texts: values are always bound, never spliced in.
   */
  prepared?: boolean;
}

/**
 * Runs one SQL statement with positional bind parameters (`$1`) and returns its rows (also for
 * INSERT/UPDATE … RETURNING).
 */
export async function queryRows<T extends object>(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  sql: string,
  bind: readonly unknown[] = [],
  options: QueryRowsOptions = {},
): Promise<T[]> {
  const connection = options.prepared ? pgConnectionOf(transaction) : undefined;
  if (connection) {
    const result = await connection.query({ name: statementName(sql), text: sql, values: [...bind] });
    return result.rows as T[];
  }
  return sequelize.query<T>(sql, { bind: bind as unknown[], type: QueryTypes.SELECT, transaction });
}

/**
 * A transaction-scoped advisory lock on a business key: everything holding the same key runs one
 * after the other until the transaction ends. A hash collision between two keys only makes
 * unrelated work wait a moment.
 */
export async function lockBusinessKey(sequelize: Sequelize, transaction: Transaction, key: string): Promise<void> {
  await queryRows(sequelize, transaction, 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS locked', [key]);
}
