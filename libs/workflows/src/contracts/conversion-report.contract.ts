import { type DeliveryResult } from './delivery.contract';

/**
 * Who won the attribution of the payment (resolved by the api at conversion time). Tracking values
 * (`im_ref` click ids) stay in PostgreSQL (`impact_sync_sale_requests`): new inputs carry none; the
 * deprecated fields are read only from histories recorded before (issue 15 item 3).
 */
export type SaleAttribution =
  /** The referral SALE is reported; the affiliate SALE is recorded as `suppressed` (no call). */
  | {
      winner: 'referral';
      /** Whether a valid affiliate touch lost to the referral (its SALE is recorded suppressed). */
      hadAffiliateTouch?: boolean;
      /** @deprecated old histories only; see `hadAffiliateTouch`. */
      affiliateClickId?: string | null;
    }
  /** The affiliate SALE is reported with its `im_ref` click id (read from the sale request). */
  | {
      winner: 'affiliate';
      /** @deprecated old histories only; the activity reads the stored click id. */
      clickId?: string;
    };

/**
 * Input of `reportConversion`: one per qualifying payment. Workflow id:
 * `workflowIds.conversionReport(conversionId)`. The OrderId is deterministic: the payment's
 * source id (`orderIdFor(sourcePaymentId)`).
 */
export interface ReportConversionInput {
  /** The api's conversion id (the ledger's `conversionId` of the payment). */
  conversionId: string;
  product: string;
  programKey?: string | null;
  /** Billing provider (`stripe`) and its payment id. */
  provider: string;
  sourcePaymentId: string;
  /** `CustomerId`: our user id (never PII). */
  userId: string;
  /**
   * @deprecated Histories recorded before issue 15 carry the plain address here; new inputs never
   * do (ids only in Temporal): the report activity reads it from `impact_sync_sale_requests` and
   * falls back to this field only for those old runs. Only its SHA-1 leaves the worker.
   */
  customerEmail?: string | null;
  /** ISO 8601 `EventDate`. */
  occurredAt: string;
  amountMinor: number;
  currency: string;
  item?: { category?: string; name?: string; sku?: string; quantity?: number };
  promoCode?: string;
  attribution: SaleAttribution;
  /** Internal: the attempt a continued-as-new run resumes at. */
  resumeAtAttempt?: number;
}

export interface ReportConversionResult {
  conversionId: string;
  /** The SALE that was sent (referral or affiliate). */
  reported: DeliveryResult;
  /** The affiliate SALE recorded as suppressed when the referral won; null otherwise. */
  suppressed: DeliveryResult | null;
}

export type ReportConversionWorkflow = (input: ReportConversionInput) => Promise<ReportConversionResult>;

/** The adverse payment kinds of the ledger (`adversePaymentKinds`). */
export type AdversePaymentKindName = 'refund' | 'chargeback' | 'fraud_mark' | 'early_fraud_warning_refund';

/**
 * Input of `reverseConversion`: reverses the SALE reported for a payment after an adverse payment.
 * Workflow id: `workflowIds.conversionReversal(conversionId)`. Start it after the report workflow
 * was started for the payment: while that SALE is still being delivered the reversal waits (and
 * retries); when no SALE reached Impact the reversal ends `suppressed`.
 */
export interface ReverseConversionInput {
  conversionId: string;
  product: string;
  programKey?: string | null;
  provider: string;
  sourcePaymentId: string;
  userId?: string | null;
  adverseKind: AdversePaymentKindName;
  /** Internal: the attempt a continued-as-new run resumes at. */
  resumeAtAttempt?: number;
}

export type ReverseConversionResult = DeliveryResult;

export type ReverseConversionWorkflow = (input: ReverseConversionInput) => Promise<ReverseConversionResult>;
