import { conversionKeyString } from '@referrals/config';
import { queryRows, type SqlWrite } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { parseInput, referralIdSchema } from './attribution.schemas';
import { idOrNull } from './attribution-sql';

/*
 * What was decided for a conversion, kept beside it (Kilo error handling 6, rule 172): the decision
 * code, whether anybody was rewarded, and the eligibility reasons (`annual_subscription`,
 * `earlier_subscription`, `referrer_cap_reached`, ...). Written once, in the qualifying event's
 * transaction; the conversion and the user's referral show it without the event being replayed.
 */

const reasonSchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case reason code');

export const recordConversionOutcomeSchema = z.strictObject({
  /** The attribution conversion id (`Conversion.id`). */
  conversionId: z.string().regex(/^[1-9]\d{0,18}$/, 'must be a conversion id'),
  /** The user's referral for the product, when there is one (also when a referral touch did not win). */
  referralId: referralIdSchema.nullable(),
  decisionCode: reasonSchema,
  rewarded: z.boolean(),
  reasons: z.array(reasonSchema).max(20),
});
export type RecordConversionOutcomeInput = z.input<typeof recordConversionOutcomeSchema>;

export interface ConversionOutcome {
  /** The attribution conversion id. */
  readonly conversionId: string;
  /** The conversion's identity as a string, `{provider}:{sourceId}` (what rewards name as their source). */
  readonly conversionKey: string;
  readonly referralId: string | null;
  readonly decisionCode: string;
  readonly rewarded: boolean;
  readonly reasons: readonly string[];
  readonly recordedAt: Date;
}

export interface ConversionOutcomeRow {
  conversion_id: string;
  provider: string;
  source_payment_id: string;
  referral_id: string | null;
  decision_code: string;
  rewarded: boolean;
  reasons: string[];
  recorded_at: Date | string;
}

export function toConversionOutcome(row: ConversionOutcomeRow): ConversionOutcome {
  return {
    conversionId: String(row.conversion_id),
    conversionKey: conversionKeyString({ provider: row.provider, sourceId: row.source_payment_id }),
    referralId: idOrNull(row.referral_id),
    decisionCode: row.decision_code,
    rewarded: row.rewarded,
    reasons: row.reasons,
    // Also read through json_agg (the referral's outcomes), where instants are text.
    recordedAt: new Date(row.recorded_at),
  };
}

/** Records what rewarding decided for a conversion; the first recording stands (a replay changes nothing). */
export async function recordConversionOutcome(
  sequelize: Sequelize,
  t: Transaction,
  input: RecordConversionOutcomeInput,
  recordedAt: Date,
): Promise<ConversionOutcome> {
  const o = parseInput(recordConversionOutcomeSchema, input, 'recordConversionOutcome');
  const reasons = [...new Set(o.reasons)];
  const rows = await queryRows<ConversionOutcomeRow>(
    sequelize,
    t,
    `WITH inserted AS (
       INSERT INTO attribution_conversion_outcomes (conversion_id, referral_id, decision_code, rewarded, reasons, recorded_at)
       VALUES ($1, $2, $3, $4, $5::text[], $6)
       ON CONFLICT (conversion_id) DO NOTHING
       RETURNING *)
     SELECT o.*, c.provider, c.source_payment_id
       FROM (SELECT * FROM inserted UNION ALL
             SELECT * FROM attribution_conversion_outcomes WHERE conversion_id = $1 AND NOT EXISTS (SELECT 1 FROM inserted)) o
       JOIN attribution_conversions c ON c.id = o.conversion_id`,
    [o.conversionId, o.referralId, o.decisionCode, o.rewarded, reasons, recordedAt],
    { direct: true, prepare: true },
  );
  const [row] = rows;
  if (!row) throw new Error('conversion outcome: INSERT ... RETURNING returned no row');
  return toConversionOutcome(row);
}

/**
 * The outcome of a conversion recorded in the caller's transaction (recordConversion answered
 * `replayed: false`, so no outcome of it can exist yet): its INSERT, to run with the caller's
 * other writes (runWritesTogether), and the outcome that INSERT records. A conversion recorded
 * before goes through recordConversionOutcome, where the first recording stands.
 */
export function newConversionOutcomeWrite(input: RecordConversionOutcomeInput, conversionKey: string, recordedAt: Date): { write: SqlWrite; outcome: ConversionOutcome } {
  const o = parseInput(recordConversionOutcomeSchema, input, 'recordConversionOutcome');
  const reasons = [...new Set(o.reasons)];
  return {
    write: {
      text: `INSERT INTO attribution_conversion_outcomes (conversion_id, referral_id, decision_code, rewarded, reasons, recorded_at)
             VALUES ($1, $2, $3, $4, $5::text[], $6)`,
      values: [o.conversionId, o.referralId, o.decisionCode, o.rewarded, reasons, recordedAt],
    },
    outcome: { conversionId: o.conversionId, conversionKey, referralId: o.referralId, decisionCode: o.decisionCode, rewarded: o.rewarded, reasons, recordedAt },
  };
}

/** The recorded outcome of one conversion (by its attribution id), or null. */
export async function conversionOutcomeOf(sequelize: Sequelize, conversionId: string, t?: Transaction): Promise<ConversionOutcome | null> {
  const [row] = await queryRows<ConversionOutcomeRow>(
    sequelize,
    t,
    `SELECT o.*, c.provider, c.source_payment_id FROM attribution_conversion_outcomes o JOIN attribution_conversions c ON c.id = o.conversion_id
      WHERE o.conversion_id = $1`,
    [conversionId],
  );
  return row ? toConversionOutcome(row) : null;
}

/**
 * The outcomes of a referral's conversions, oldest first, as one SQL expression over the
 * referrals row (`attribution_referrals.id`): selected with every referral, in the same statement.
 */
export const REFERRAL_OUTCOMES_COLUMN = `(SELECT coalesce(json_agg(json_build_object('conversion_id', o.conversion_id, 'provider', c.provider,
      'source_payment_id', c.source_payment_id, 'referral_id', o.referral_id, 'decision_code', o.decision_code, 'rewarded', o.rewarded,
      'reasons', o.reasons, 'recorded_at', o.recorded_at) ORDER BY o.conversion_id), '[]'::json)
    FROM attribution_conversion_outcomes o JOIN attribution_conversions c ON c.id = o.conversion_id
   WHERE o.referral_id = attribution_referrals.id) AS outcomes`;

/** An outcome with the conversion it belongs to, as the ops view lists them. */
export interface ConversionOutcomeListItem extends ConversionOutcome {
  readonly product: string;
  readonly userId: string;
}

export const listConversionOutcomesSchema = z.strictObject({
  /** false: conversions that rewarded nobody (with their reasons). */
  rewarded: z.boolean().optional(),
  limit: z.int().min(1).max(500).default(50),
});
export type ListConversionOutcomesFilter = z.input<typeof listConversionOutcomesSchema>;

/** Recorded outcomes of conversions that have a referral, newest first (ops: who was not rewarded, and why). */
export async function listConversionOutcomes(sequelize: Sequelize, filter: ListConversionOutcomesFilter = {}): Promise<ConversionOutcomeListItem[]> {
  const f = parseInput(listConversionOutcomesSchema, filter, 'listConversionOutcomes');
  const rows = await queryRows<ConversionOutcomeRow & { product: string; user_id: string }>(
    sequelize,
    undefined,
    `SELECT o.*, c.provider, c.source_payment_id, c.product, c.user_id
       FROM attribution_conversion_outcomes o JOIN attribution_conversions c ON c.id = o.conversion_id
      WHERE o.referral_id IS NOT NULL AND ($1::boolean IS NULL OR o.rewarded = $1)
      ORDER BY o.conversion_id DESC LIMIT $2`,
    [f.rewarded ?? null, f.limit],
  );
  return rows.map((r) => ({ ...toConversionOutcome(r), product: r.product, userId: r.user_id }));
}
