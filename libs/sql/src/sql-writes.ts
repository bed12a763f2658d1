import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './query-rows';

/**
 * One INSERT/UPDATE/DELETE a lib owns, as text with positional parameters (`$1`...), not yet run.
 * A lib exposes its writes this way when a use case needs them in one round trip with others.
 */
export interface SqlWrite {
  readonly text: string;
  readonly values: readonly unknown[];
}

const PLACEHOLDER = /\$(\d+)/g;

/**
 * Runs writes of several libs as ONE statement in the caller's transaction: each becomes a
 * data-modifying CTE (`WITH w0 AS (INSERT ...), w1 AS (...) SELECT 1`), which PostgreSQL runs
 * exactly once and to completion, each seeing the snapshot of the statement's start (the writes
 * must not depend on each other's rows). Each round trip to PostgreSQL costs the api about
 * 0.15 ms of a loaded core (`npm run bench:api`), so the end of a qualifying event, four
 * independent inserts, goes as one. Constraint errors are the writes' own (the same SQLSTATE and
 * constraint name). The texts are fixed per combination, so the statement is prepared.
 *
 * The writes' texts must not hold `$` other than their placeholders (no dollar quoting).
 */
export async function runWritesTogether(sequelize: Sequelize, transaction: Transaction, writes: readonly (SqlWrite | null)[]): Promise<void> {
  const present = writes.filter((w): w is SqlWrite => w !== null);
  if (present.length === 0) return;
  if (present.length === 1) {
    const [only] = present as [SqlWrite];
    await queryRows(sequelize, transaction, only.text, only.values, { direct: true, prepare: true });
    return;
  }
  const values: unknown[] = [];
  const ctes = present.map((write, i) => {
    const offset = values.length;
    values.push(...write.values);
    return `w${i} AS (${write.text.replace(PLACEHOLDER, (_, n: string) => `$${Number(n) + offset}`)})`;
  });
  await queryRows(sequelize, transaction, `WITH ${ctes.join(', ')} SELECT 1 AS written`, values, { direct: true, prepare: true });
}
