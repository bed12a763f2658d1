import { queryRows } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { idSchema, instantSchema, parseInput, productSchema, recordConversionSchema } from './attribution.schemas';

/*
 * Subscription history (Kilo rules 99, 100): every subscription payment the engine sees, per
 * (product, user). A referee with any OTHER subscription of the product that started or was paid
 * before the one being converted (monthly or annual, current or canceled) is not an eligible
 * referee, whatever `sequence` the host sends. The host may also state earlier history the engine
 * never saw (a subscription from before it was deployed): `hostStatesEarlier`.
 */

export const recordSubscriptionPaymentSchema = z.strictObject({
  provider: recordConversionSchema.shape.provider,
  sourcePaymentId: idSchema,
  product: productSchema,
  userId: idSchema,
  /** The billing system's subscription id; without one a subscription is known by its interval and start. */
  subscriptionId: idSchema.optional(),
  tier: z.string().min(1).max(64),
  interval: z.string().min(1).max(32),
  kind: z.string().min(1).max(32),
  startedAt: instantSchema,
  paidAt: instantSchema,
  sequence: z.int().min(1),
  amountMinor: z.int().min(0),
  currency: z.string().min(1).max(16),
  hostStatesEarlier: z.boolean().default(false),
});
export type RecordSubscriptionPaymentInput = z.input<typeof recordSubscriptionPaymentSchema>;

/** Why a subscription is not its user's first of the product, or null when it is. */
export type EarlierSubscription =
  | { readonly source: 'recorded'; readonly subscriptionKey: string; readonly interval: string; readonly startedAt: Date }
  | { readonly source: 'host' };

/** One recorded subscription payment. */
export interface SubscriptionPayment {
  readonly provider: string;
  readonly sourcePaymentId: string;
  readonly product: string;
  readonly userId: string;
  readonly subscriptionKey: string;
  readonly tier: string;
  readonly interval: string;
  readonly kind: string;
  readonly startedAt: Date;
  readonly paidAt: Date;
  readonly sequence: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly hostStatedEarlier: boolean;
  readonly recordedAt: Date;
}

interface PaymentRow {
  provider: string;
  source_payment_id: string;
  product: string;
  user_id: string;
  subscription_key: string;
  tier: string;
  billing_interval: string;
  subscription_kind: string;
  started_at: Date;
  paid_at: Date;
  sequence: number;
  amount_minor: string;
  currency: string;
  host_stated_earlier: boolean;
  recorded_at: Date;
}

const toPayment = (r: PaymentRow): SubscriptionPayment => ({
  provider: r.provider,
  sourcePaymentId: r.source_payment_id,
  product: r.product,
  userId: r.user_id,
  subscriptionKey: r.subscription_key,
  tier: r.tier,
  interval: r.billing_interval,
  kind: r.subscription_kind,
  startedAt: r.started_at,
  paidAt: r.paid_at,
  sequence: r.sequence,
  amountMinor: Number(r.amount_minor),
  currency: r.currency,
  hostStatedEarlier: r.host_stated_earlier,
  recordedAt: r.recorded_at,
});

/** A subscription's identity: the billing system's id, else its interval and start instant. */
export function subscriptionKeyOf(input: { subscriptionId?: string | undefined; interval: string; startedAt: Date }): string {
  return input.subscriptionId ? `id:${input.subscriptionId}` : `${input.interval}@${input.startedAt.toISOString()}`;
}

/**
 * Records one subscription payment (in the caller's transaction: the qualifying event's, which
 * holds the (product, user) lock of recordConversion, so two payments of one user are recorded one
 * after the other) and answers whether an earlier subscription of the product exists. A payment
 * recorded before (same provider and payment id) is not recorded again.
 */
export async function recordSubscriptionPayment(
  sequelize: Sequelize,
  t: Transaction,
  input: RecordSubscriptionPaymentInput,
  recordedAt: Date,
): Promise<{ earlierSubscription: EarlierSubscription | null }> {
  const p = parseInput(recordSubscriptionPaymentSchema, input, 'recordSubscriptionPayment');
  const key = subscriptionKeyOf(p);
  // One statement: the payment's INSERT (a CTE) and the earlier subscription's read, which sees the
  // table as it was before the INSERT (one snapshot), as the read before the INSERT did.
  const [earlier] = await queryRows<Pick<PaymentRow, 'subscription_key' | 'billing_interval' | 'started_at'>>(
    sequelize,
    t,
    `WITH inserted AS (
       INSERT INTO attribution_subscription_payments (provider, source_payment_id, product, user_id, subscription_key, tier,
         billing_interval, subscription_kind, started_at, paid_at, sequence, amount_minor, currency, host_stated_earlier, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (provider, source_payment_id) DO NOTHING RETURNING provider)
     SELECT subscription_key, billing_interval, started_at FROM attribution_subscription_payments
      WHERE user_id = $4 AND product = $3 AND subscription_key <> $5 AND (started_at < $9 OR paid_at < $10)
      ORDER BY started_at, paid_at LIMIT 1`,
    [p.provider, p.sourcePaymentId, p.product, p.userId, key, p.tier, p.interval, p.kind, p.startedAt, p.paidAt, p.sequence, p.amountMinor, p.currency,
      p.hostStatesEarlier, recordedAt],
    { direct: true, prepare: true },
  );
  if (earlier) {
    return { earlierSubscription: { source: 'recorded', subscriptionKey: earlier.subscription_key, interval: earlier.billing_interval, startedAt: earlier.started_at } };
  }
  return { earlierSubscription: p.hostStatesEarlier ? { source: 'host' } : null };
}

export const listSubscriptionPaymentsSchema = z.strictObject({ product: productSchema, userId: idSchema });
export type ListSubscriptionPaymentsFilter = z.input<typeof listSubscriptionPaymentsSchema>;

/** A user's recorded subscription payments of a product, oldest first (support reads the history). */
export async function listSubscriptionPayments(sequelize: Sequelize, filter: ListSubscriptionPaymentsFilter): Promise<SubscriptionPayment[]> {
  const f = parseInput(listSubscriptionPaymentsSchema, filter, 'listSubscriptionPayments');
  const rows = await queryRows<PaymentRow>(
    sequelize,
    undefined,
    'SELECT * FROM attribution_subscription_payments WHERE user_id = $1 AND product = $2 ORDER BY paid_at, source_payment_id',
    [f.userId, f.product],
  );
  return rows.map(toPayment);
}
