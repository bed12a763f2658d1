import { type SqlWrite } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './impact-sync-sql';

/**
 * The personal part of a SALE report (the customer's plain email, whose SHA-1 Impact gets as
 * `CustomerEmail`, and the winning affiliate touch's `im_ref` click id, a tracking value), kept here rather than in the `reportConversion` input: Temporal histories
 * cannot be erased and are read by whoever operates Temporal, so the input carries ids only and
 * the report activity reads this row [issue 15 item 3; design 7].
 *
 * One row per payment (provider, source payment id), written in the payment's transaction; the
 * first request stands, as the report workflow (one per payment) runs once.
 */
export interface SaleRequest {
  readonly provider: string;
  readonly sourcePaymentId: string;
  readonly product: string;
  readonly userId: string;
  readonly customerEmail: string | null;
  /** The `ClickId` of an affiliate SALE; null for a referral SALE. */
  readonly clickId: string | null;
  readonly requestedAt: Date;
}

interface SaleRequestRow {
  provider: string;
  source_payment_id: string;
  product: string;
  user_id: string;
  customer_email: string | null;
  click_id: string | null;
  requested_at: Date;
}

/**
 * The INSERT of a payment's SALE request, run with the payment's other writes (runWritesTogether):
 * stores the request unless one exists for the payment (a redelivered event changes nothing).
 */
export function saleRequestWrite(request: Omit<SaleRequest, 'requestedAt'> & { readonly now: Date }): SqlWrite {
  return {
    text: `INSERT INTO impact_sync_sale_requests (provider, source_payment_id, product, user_id, customer_email, click_id, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, source_payment_id) DO NOTHING`,
    values: [request.provider, request.sourcePaymentId, request.product, request.userId, request.customerEmail, request.clickId, request.now],
  };
}

/** The stored request of a payment, or null (reports queued before requests were stored). */
export async function saleRequestOf(
  sequelize: Sequelize,
  provider: string,
  sourcePaymentId: string,
  options: { transaction?: Transaction } = {},
): Promise<SaleRequest | null> {
  const [row] = await queryRows<SaleRequestRow>(
    sequelize,
    options.transaction,
    'SELECT provider, source_payment_id, product, user_id, customer_email, click_id, requested_at FROM impact_sync_sale_requests WHERE provider = $1 AND source_payment_id = $2',
    [provider, sourcePaymentId],
  );
  return row
    ? {
        provider: row.provider,
        sourcePaymentId: row.source_payment_id,
        product: row.product,
        userId: row.user_id,
        customerEmail: row.customer_email,
        clickId: row.click_id,
        requestedAt: row.requested_at,
      }
    : null;
}
