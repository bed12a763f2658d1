import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './ledger-sql';

/**
 * Serializes everything about one conversion (= source payment): its grants and its adverse
 * notices first lock the conversion's row in `ledger_conversions` (creating it when new), so they
 * happen one after the other.
 *
 * The lock is an upsert whose DO UPDATE only fires when the row carries an adverse notice: rows
 * are locked by ON CONFLICT whether or not they are updated, so an ordinary replay writes nothing,
 * and when a notice is there the RETURNING clause shows it from the LATEST row version (the one we
 * waited for), which a plain SELECT in the same statement could not see.
 *
 * `$1` is the conversion id. Yields one row when the conversion is new (adverse_kind null) or has
 * an adverse notice (adverse_kind set); no row when it existed without one.
 */
export const LOCK_CONVERSION_CTE = `conversion AS (
    INSERT INTO ledger_conversions AS c (conversion_id) VALUES ($1)
    ON CONFLICT (conversion_id) DO UPDATE SET conversion_id = EXCLUDED.conversion_id WHERE c.adverse_kind IS NOT NULL
    RETURNING c.adverse_kind
  )`;

/** Takes the conversion lock on its own (adverse notices), returning the recorded adverse kind. */
export async function lockConversion(sequelize: Sequelize, t: Transaction, conversionId: string): Promise<string | null> {
  const [row] = await queryRows<{ adverse_kind: string | null }>(
    sequelize,
    t,
    `WITH ${LOCK_CONVERSION_CTE} SELECT (SELECT adverse_kind FROM conversion) AS adverse_kind`,
    [conversionId],
  );
  return row?.adverse_kind ?? null;
}
