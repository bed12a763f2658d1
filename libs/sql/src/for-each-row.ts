import pg from 'pg';
import { type Transaction } from 'sequelize';
import { type PgTypeParsers } from './timestamptz-text';

/** The node-postgres client under a Sequelize transaction, as far as submitting a pg.Query goes. */
interface PgSubmitter {
  query(query: pg.Query): unknown;
}

function pgClientOf(transaction: Transaction): PgSubmitter {
  const connection = (transaction as unknown as { connection?: Partial<PgSubmitter> }).connection;
  if (typeof connection?.query !== 'function') throw new Error('forEachRow: the transaction has no node-postgres connection');
  return connection as PgSubmitter;
}

/**
 * Runs one statement in the transaction and hands each row to `onRow` as it arrives, as an array
 * of its column values in select-list order; resolves with the number of rows. No row outlives
 * its call: node-postgres keeps none (a query read into an array keeps the whole result alive
 * through young-generation collections, which doubled the CPU of reading many rows), and while
 * `onRow` works the socket is not read, so PostgreSQL waits instead of Node buffering.
 *
 * If `onRow` throws, no more rows reach it, the statement is read to its end (the connection
 * stays usable), and the promise rejects with that error.
 */
export function forEachRow(
  transaction: Transaction,
  sql: string,
  bind: readonly unknown[],
  onRow: (row: unknown[]) => void,
  options: { types?: PgTypeParsers } = {},
): Promise<number> {
  const client = pgClientOf(transaction);
  return new Promise((resolve, reject) => {
    // PgTypeParsers is node-postgres's CustomTypesConfig with a plainer signature.
    const config: pg.QueryArrayConfig = { text: sql, values: [...bind], rowMode: 'array', types: options.types as pg.CustomTypesConfig | undefined };
    const query = new pg.Query(config);
    let rows = 0;
    let failure: { error: unknown } | null = null;
    query.on('row', (row: unknown[]) => {
      if (failure) return;
      try {
        onRow(row);
        rows += 1;
      } catch (error) {
        failure = { error };
      }
    });
    query.on('error', reject);
    query.on('end', () => (failure ? reject(failure.error) : resolve(rows)));
    client.query(query);
  });
}
