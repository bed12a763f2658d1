import { queryRows } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { AttributionError } from './attribution.errors';
import { conversionKeySchema, parseInput } from './attribution.schemas';
import { lockKey } from './attribution-sql';

/*
 * Operator eligibility marks (Kilo rules 69, 173). A payment the host marks as a test,
 * admin-created or a manual adjustment rewards nobody and is not reported to Impact, unless an
 * operator marked its conversion eligible under the support process: the mark names the
 * conversion, who and why, and must exist BEFORE billing sends the payment (a recorded conversion
 * is never decided again). The mark is the audit record; it never changes.
 */

export const markConversionEligibleSchema = z.strictObject({
  key: conversionKeySchema,
  operator: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(1).max(1000),
});
export type MarkConversionEligibleInput = z.input<typeof markConversionEligibleSchema>;

export interface EligibilityMark {
  readonly provider: string;
  readonly sourceId: string;
  readonly operator: string;
  readonly reason: string;
  readonly markedAt: Date;
}

interface MarkRow {
  provider: string;
  source_payment_id: string;
  operator: string;
  reason: string;
  marked_at: Date;
}

const toMark = (r: MarkRow): EligibilityMark => ({ provider: r.provider, sourceId: r.source_payment_id, operator: r.operator, reason: r.reason, markedAt: r.marked_at });

/**
 * Marks a conversion eligible; the first mark stands (`replayed`: it existed). Under the
 * conversion's lock, which recording the conversion takes too: a payment either sees the mark or
 * was recorded first, in which case this is `conversion_already_recorded` and nothing is written.
 */
export async function markConversionEligible(
  deps: { readonly sequelize: Sequelize; readonly clock: () => Date },
  input: MarkConversionEligibleInput,
): Promise<{ mark: EligibilityMark; replayed: boolean }> {
  const { key, operator, reason } = parseInput(markConversionEligibleSchema, input, 'markConversionEligible');
  return deps.sequelize.transaction(async (t) => {
    await lockKey(deps.sequelize, t, `conversion:${key.provider}:${key.sourceId}`);
    const existing = await eligibilityMarkOf(deps.sequelize, key, t);
    if (existing) return { mark: existing, replayed: true };
    const [recorded] = await queryRows<{ id: string }>(
      deps.sequelize,
      t,
      'SELECT id FROM attribution_conversions WHERE provider = $1 AND source_payment_id = $2',
      [key.provider, key.sourceId],
    );
    if (recorded) {
      throw new AttributionError('conversion_already_recorded', `conversion ${key.provider}:${key.sourceId} was already recorded and decided; mark a conversion before billing sends it`, {
        details: { conversionId: String(recorded.id) },
      });
    }
    const [row] = await queryRows<MarkRow>(
      deps.sequelize,
      t,
      `INSERT INTO attribution_conversion_eligibility_marks (provider, source_payment_id, operator, reason, marked_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING *`,
      [key.provider, key.sourceId, operator, reason, deps.clock()],
    );
    if (!row) throw new Error('INSERT ... RETURNING returned no row');
    return { mark: toMark(row), replayed: false };
  });
}

/** The eligibility mark of a conversion, or null (in the caller's transaction when given). */
export async function eligibilityMarkOf(sequelize: Sequelize, key: { provider: string; sourceId: string }, t?: Transaction): Promise<EligibilityMark | null> {
  const [row] = await queryRows<MarkRow>(
    sequelize,
    t,
    'SELECT * FROM attribution_conversion_eligibility_marks WHERE provider = $1 AND source_payment_id = $2',
    [key.provider, key.sourceId],
    { direct: true, prepare: true },
  );
  return row ? toMark(row) : null;
}
