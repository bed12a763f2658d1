import { queryRows } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { idSchema, instantSchema, parseInput, productSchema, recordConversionSchema } from './attribution.schemas';

/*
 * The payment-instrument guard (Kilo rules 176-184): the welcome promo is given at most once per
 * reusable payment instrument, and a settlement with an instrument another account claimed is not
 * an eligible referral conversion. The instrument is known by a keyed digest only (the caller
 * HMACs the provider's fingerprint); this module never sees a fingerprint.
 */

/** What the guard found for one payment's method. */
export const PAYMENT_INSTRUMENT_OUTCOMES = [
  /** This settlement claimed the instrument (the first claiming settlement with it). */
  'claimed',
  /** The instrument was claimed before by the same user (a renewal, a second subscription). */
  'own_claim',
  /** Another account (or an erased one) claimed the instrument first: no welcome promo, not an eligible conversion [178, 179]. */
  'already_claimed',
  /** A reusable instrument on a settlement that claims nothing (zero value, team, annual renewal) [177]. */
  'not_claiming',
  /** A reusable type without a fingerprint: the fallback, not disqualified for that alone [180]. */
  'no_fingerprint',
  /** A type the product does not treat as reusable (no reusable fingerprint): not disqualified [180]. */
  'not_reusable',
  /** Billing could not resolve the method: not an eligible settlement [180]. */
  'unresolved',
] as const;
export type PaymentInstrumentOutcome = (typeof PAYMENT_INSTRUMENT_OUTCOMES)[number];

export const recordPaymentInstrumentSchema = z.strictObject({
  provider: recordConversionSchema.shape.provider,
  sourcePaymentId: idSchema,
  product: productSchema,
  userId: idSchema,
  methodType: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  /** The method's type is unresolved (billing sent `unknown`). */
  unresolved: z.boolean(),
  /** The product treats the type as reusable (its `reusablePaymentMethodTypes`). */
  reusable: z.boolean(),
  /** HMAC-SHA-256 (hex) of the fingerprint; null when billing sent none. */
  instrumentHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  amountMinor: z.int().min(0),
  interval: z.string().min(1).max(32),
  kind: z.string().min(1).max(32),
  paidAt: instantSchema,
});
export type RecordPaymentInstrumentInput = z.input<typeof recordPaymentInstrumentSchema>;

/**
 * Kilo rule 177: an instrument is claimed only by a positive personal monthly settlement or the
 * user's first positive personal annual one (read from the subscription history, which the
 * event's transaction recorded this payment in already).
 */
async function isClaimingSettlement(sequelize: Sequelize, t: Transaction, p: z.output<typeof recordPaymentInstrumentSchema>): Promise<boolean> {
  if (p.amountMinor <= 0 || p.kind !== 'personal') return false;
  if (p.interval === 'monthly') return true;
  if (p.interval !== 'yearly') return false;
  const earlier = await queryRows(
    sequelize,
    t,
    `SELECT 1 AS one FROM attribution_subscription_payments
      WHERE user_id = $1 AND product = $2 AND billing_interval = 'yearly' AND subscription_kind = 'personal' AND amount_minor > 0
        AND (provider, source_payment_id) <> ($3, $4) AND paid_at <= $5 LIMIT 1`,
    [p.userId, p.product, p.provider, p.sourcePaymentId, p.paidAt],
    { direct: true, prepare: true },
  );
  return earlier.length === 0;
}

/**
 * The atomic claim, and its use recorded, in ONE statement on the common path (a first use of the
 * instrument): INSERT ... ON CONFLICT DO NOTHING into the claims, and the use row with outcome
 * `claimed` only when that insert took. When it did not (the instrument is claimed already), the
 * owner is read by a NEXT statement: under READ COMMITTED a concurrent first payment's claim, which
 * the INSERT waited for, is visible to the next statement but not to the snapshot of this one.
 * Returns null when the claim was not made (the caller reads the owner and records the use).
 */
async function claimAndRecordUse(sequelize: Sequelize, t: Transaction, p: z.output<typeof recordPaymentInstrumentSchema>, hash: string, now: Date): Promise<'claimed' | null> {
  const rows = await queryRows(
    sequelize,
    t,
    `WITH claimed AS (
       INSERT INTO payment_instrument_claims (product, instrument_hash, method_type, user_id, provider, source_payment_id, claimed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (product, instrument_hash) DO NOTHING RETURNING instrument_hash
     )
     INSERT INTO payment_instrument_uses (provider, source_payment_id, product, user_id, method_type, positive_monthly, paid_at, outcome, recorded_at)
     SELECT $5, $6, $1, $4, $3, $8::boolean, $9::timestamptz, 'claimed', $7 FROM claimed
     ON CONFLICT (provider, source_payment_id) DO NOTHING RETURNING provider`,
    [p.product, hash, p.methodType, p.userId, p.provider, p.sourcePaymentId, now, positiveMonthlyOf(p), p.paidAt],
    { direct: true, prepare: true },
  );
  return rows.length > 0 ? 'claimed' : null;
}

function positiveMonthlyOf(p: z.output<typeof recordPaymentInstrumentSchema>): boolean {
  return p.amountMinor > 0 && p.interval === 'monthly' && p.kind === 'personal';
}

async function claimOwner(sequelize: Sequelize, t: Transaction, product: string, hash: string): Promise<string | null> {
  const [row] = await queryRows<{ user_id: string | null }>(
    sequelize,
    t,
    'SELECT user_id FROM payment_instrument_claims WHERE product = $1 AND instrument_hash = $2',
    [product, hash],
    { direct: true, prepare: true },
  );
  return row?.user_id ?? null;
}

/**
 * What the guard finds for one payment whose method billing reported, recorded in the caller's
 * transaction (the qualifying event's, after its subscription payment was recorded). A claim, once
 * made, is never taken back: refunds, disputes, cancellations and erasure leave it [182].
 */
export async function recordPaymentInstrument(sequelize: Sequelize, t: Transaction, input: RecordPaymentInstrumentInput, now: Date): Promise<PaymentInstrumentOutcome> {
  const p = parseInput(recordPaymentInstrumentSchema, input, 'recordPaymentInstrument');
  let outcome: PaymentInstrumentOutcome;
  if (p.unresolved) outcome = 'unresolved';
  else if (!p.reusable) outcome = 'not_reusable';
  else if (p.instrumentHash === null) outcome = 'no_fingerprint';
  else if (!(await isClaimingSettlement(sequelize, t, p))) outcome = 'not_claiming';
  else if ((await claimAndRecordUse(sequelize, t, p, p.instrumentHash, now)) === 'claimed') return 'claimed';
  else outcome = (await claimOwner(sequelize, t, p.product, p.instrumentHash)) === p.userId ? 'own_claim' : 'already_claimed';
  await queryRows(
    sequelize,
    t,
    `INSERT INTO payment_instrument_uses (provider, source_payment_id, product, user_id, method_type, positive_monthly, paid_at, outcome, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (provider, source_payment_id) DO NOTHING RETURNING provider`,
    [p.provider, p.sourcePaymentId, p.product, p.userId, p.methodType, positiveMonthlyOf(p), p.paidAt, outcome, now],
    { direct: true, prepare: true },
  );
  return outcome;
}

export const welcomePromoInstrumentSchema = z.strictObject({ product: productSchema, userId: idSchema });
export type WelcomePromoInstrumentInput = z.input<typeof welcomePromoInstrumentSchema>;

/**
 * Kilo rule 178: whether the subscriber's FIRST positive monthly settlement of the product used an
 * instrument another account had claimed (then: no welcome promo, the normal monthly ramp).
 */
export async function firstSettlementInstrumentClaimed(sequelize: Sequelize, input: WelcomePromoInstrumentInput, transaction?: Transaction): Promise<boolean> {
  const p = parseInput(welcomePromoInstrumentSchema, input, 'firstSettlementInstrumentClaimed');
  const [first] = await queryRows<{ outcome: PaymentInstrumentOutcome | null }>(
    sequelize,
    transaction,
    // The first positive personal monthly payment of the history, whatever later ones used.
    `SELECT u.outcome FROM attribution_subscription_payments p
       LEFT JOIN payment_instrument_uses u ON u.provider = p.provider AND u.source_payment_id = p.source_payment_id
      WHERE p.user_id = $1 AND p.product = $2 AND p.billing_interval = 'monthly' AND p.subscription_kind = 'personal' AND p.amount_minor > 0
      ORDER BY p.paid_at, p.source_payment_id LIMIT 1`,
    [p.userId, p.product],
  );
  return first?.outcome === 'already_claimed';
}

/**
 * Erasure (Kilo rules 182, 184): the user's reference leaves the claims and the recorded uses, the
 * claims stay (a new account paying with the instrument is still `already_claimed`). In the
 * caller's transaction; answers how many claims the user held.
 */
export async function erasePaymentInstrumentOwner(sequelize: Sequelize, t: Transaction, userId: string): Promise<{ claims: number; uses: number }> {
  const id = parseInput(idSchema, userId, 'erasePaymentInstrumentOwner');
  const claims = await queryRows(sequelize, t, 'UPDATE payment_instrument_claims SET user_id = NULL WHERE user_id = $1 RETURNING product', [id]);
  const uses = await queryRows(sequelize, t, 'UPDATE payment_instrument_uses SET user_id = NULL WHERE user_id = $1 RETURNING provider', [id]);
  return { claims: claims.length, uses: uses.length };
}
