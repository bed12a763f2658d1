import { type CompletedSubmission, orderIdFor, type ConversionInput, type DispositionCode, type PerformanceClient } from '@referrals/impact-client';
import {
  deliveryBusinessIds,
  deliveryKeys,
  deliveryRequestId,
  getDelivery,
  isTerminalDeliveryStatus,
  recordSuppressedDelivery,
  saleRequestOf,
  type Delivery,
  type SaleRef,
} from '@referrals/impact-sync';
import {
  type AdversePaymentKindName,
  type ConversionActivities,
  type ReportConversionInput,
  type ReverseConversionInput,
} from '@referrals/workflows';
import { type ActivityDeps } from './activity-deps';
import { deliveryActivityBody } from './heartbeats';
import {
  activityCancellationSignal,
  deliveryToAttempt,
  endOfImpactOutcome,
  openDelivery,
  recordAttemptEnd,
  resultOf,
  type AttemptEnd,
} from './delivery-recording';

/** Which Impact disposition reverses a SALE after each kind of adverse payment. */
export const dispositionOf: Record<AdversePaymentKindName, DispositionCode> = {
  refund: 'ITEM_RETURNED',
  chargeback: 'REJECTED',
  fraud_mark: 'CONS_FRAUD',
  early_fraud_warning_refund: 'CONS_FRAUD',
};

const saleOf = (r: { product: string; provider: string; sourcePaymentId: string }): SaleRef => ({
  product: r.product,
  provider: r.provider,
  sourceId: r.sourcePaymentId,
});

/** The SALE this report sends: the referral's when the referral won, the affiliate's otherwise. */
const reportedKind = (report: ReportConversionInput) => (report.attribution.winner === 'referral' ? 'referral_sale' : 'affiliate_sale');

/** The personal values of a SALE, which the input no longer carries. */
interface SalePersonal {
  customerEmail: string | null;
  clickId: string | null;
}

/**
 * The email and click id the payment's transaction stored (`impact_sync_sale_requests`): inputs
 * carry ids only. Histories recorded before still carry them in the input: their runs use that.
 */
async function salePersonalOf(sequelize: ActivityDeps['sequelize'], report: ReportConversionInput): Promise<SalePersonal> {
  const request = await saleRequestOf(sequelize, report.provider, report.sourcePaymentId);
  const legacyClickId = report.attribution.winner === 'affiliate' ? (report.attribution.clickId ?? null) : null;
  return { customerEmail: request?.customerEmail ?? report.customerEmail ?? null, clickId: request?.clickId ?? legacyClickId };
}

function conversionInput(report: ReportConversionInput, { customerEmail, clickId }: SalePersonal): ConversionInput {
  return {
    event: 'SALE',
    // Deterministic OrderId: the payment's source id (a resubmission carries the same one).
    orderSourceId: report.sourcePaymentId,
    eventDate: report.occurredAt,
    customerId: report.userId,
    ...(customerEmail ? { customerEmail } : {}),
    // Referral SALEs carry no click id; affiliate SALEs carry the winning touch's `im_ref`.
    ...(report.attribution.winner === 'affiliate' && clickId ? { clickId } : {}),
    currencyCode: report.currency,
    amountMinor: report.amountMinor,
    ...(report.item ? { item: report.item } : {}),
    ...(report.promoCode ? { promoCode: report.promoCode } : {}),
  };
}

function disabledEnd(deps: ActivityDeps, product: string): AttemptEnd {
  const code = deps.impact.configuredProducts.includes(product) ? 'impact_performance_not_configured' : 'impact_product_not_configured';
  return { outcome: 'disabled', error: { code, message: `Impact Performance is not configured for product "${product}"; nothing was sent`, httpStatus: null } };
}

/** SALE reports (referral or affiliate, with the losing affiliate SALE suppressed) and reversals. */
export function createConversionActivities(deps: ActivityDeps): ConversionActivities {
  const { sequelize, impact } = deps;

  /**
   * One submission, or a poll of the submission a previous attempt left queued. A `Complete`
   * submission without an error is a delivered SALE: Impact documents no action id for it, so the
   * batch id is recorded and the OrderId stays the conversion's key (reversals name it).
   */
  async function reportOnce(performance: PerformanceClient, report: ReportConversionInput, queuedUri: string | null, requestId: string): Promise<AttemptEnd> {
    const options = { requestId, signal: activityCancellationSignal() };
    if (queuedUri !== null) return pollQueued(performance, queuedUri, options, deliveredSale);
    const submitted = await performance.submitConversion(conversionInput(report, await salePersonalOf(sequelize, report)), options);
    if (submitted.kind !== 'ok') return endOfImpactOutcome(submitted, () => ({ outcome: 'succeeded' }));
    if (submitted.value.status === 'recorded') return deliveredSale({ actionId: submitted.value.actionId, batchId: null, duplicate: false });
    return pollQueued(performance, submitted.value.queuedUri, options, deliveredSale);
  }

  function deliveredSale(completed: CompletedSubmission): AttemptEnd {
    return {
      outcome: 'succeeded',
      impactActionId: completed.actionId,
      queuedUri: null,
      details: {
        ...(completed.batchId ? { submissionBatchId: completed.batchId } : {}),
        // CONV_DUPLICATE: Impact already had this OrderId (an earlier attempt's answer was lost).
        ...(completed.duplicate ? { duplicateOfEarlierSubmission: true } : {}),
      },
    };
  }

  /**
   * Polls a queued submission; a completed one ends the attempt, a pending one is polled next time.
   * A submission that completed with a transient error is sent again (same OrderId); a permanent
   * `ErrorType` (configuration, validation, contract) ends the delivery `failed` with its reason.
   */
  async function pollQueued(
    performance: PerformanceClient,
    queuedUri: string,
    options: { requestId: string; signal: AbortSignal | undefined },
    onDone: (completed: CompletedSubmission) => AttemptEnd,
  ): Promise<AttemptEnd> {
    const polled = await performance.pollSubmission({ queuedUri }, { ...options, maxPolls: deps.polling.maxPolls, pollIntervalMs: deps.polling.pollIntervalMs });
    if (polled.kind === 'ok') return onDone(polled.value);
    const end = endOfImpactOutcome(polled, () => ({ outcome: 'succeeded' }));
    if (end.outcome !== 'retrying') return end;
    return { ...end, queuedUri: polled.kind === 'transient' && polled.code === 'queued_submission_failed' ? null : queuedUri };
  }

  async function reverseOnce(reversal: ReverseConversionInput, queuedUri: string | null, requestId: string): Promise<AttemptEnd> {
    const businessId = deliveryBusinessIds.sale(saleOf(reversal));
    const sales = [await getDelivery(sequelize, 'referral_sale', businessId), await getDelivery(sequelize, 'affiliate_sale', businessId)].filter(
      (d): d is Delivery => d !== null,
    );
    const reported = sales.find((d) => d.status === 'succeeded');
    if (!reported) {
      const inFlight = sales.find((d) => !isTerminalDeliveryStatus(d.status));
      if (inFlight) {
        return {
          outcome: 'retrying',
          error: { code: 'sale_report_in_progress', message: `the ${inFlight.kind} of this payment is still being delivered (${inFlight.status})`, httpStatus: null },
        };
      }
      return { outcome: 'suppressed', reason: sales.length ? 'no SALE of this payment reached Impact: nothing to reverse' : 'no SALE was reported for this payment' };
    }
    const { performance } = impact.forProduct(reversal.product);
    if (!performance.enabled) return disabledEnd(deps, reversal.product);
    const disposition = dispositionOf[reversal.adverseKind];
    const options = { requestId, signal: activityCancellationSignal() };
    const done = (completed?: CompletedSubmission): AttemptEnd => ({
      outcome: 'succeeded',
      impactActionId: reported.impactActionId,
      queuedUri: null,
      details: { reversedKind: reported.kind, disposition, ...(completed?.batchId ? { submissionBatchId: completed.batchId } : {}) },
    });
    if (queuedUri !== null) return pollQueued(performance, queuedUri, options, done);
    // Impact documents no action id for a queued SALE: the reversal names it by its action
    // tracker and OrderId (our idempotency key); an action id is used only if Impact gave one.
    const target = reported.impactActionId
      ? { actionId: reported.impactActionId }
      : { event: 'SALE' as const, orderSourceId: reversal.sourcePaymentId };
    const submitted = await performance.reverseAction(target, disposition, options);
    if (submitted.kind !== 'ok') return endOfImpactOutcome(submitted, () => ({ outcome: 'succeeded' }));
    // Impact answers QUEUED: the reversal counts once its submission completed.
    return submitted.value.status === 'queued' ? pollQueued(performance, submitted.value.queuedUri, options, done) : done();
  }

  return {
    openConversionReport: ({ report, workflowId }) =>
      deliveryActivityBody(async () => {
        const sale = saleOf(report);
        const businessId = deliveryBusinessIds.sale(sale);
        const common = {
          businessId,
          product: report.product,
          programKey: report.programKey ?? null,
          userId: report.userId,
          workflowId,
          impactOrderId: orderIdFor(report.sourcePaymentId),
          details: { conversionId: report.conversionId },
        };
        const suppressed =
          report.attribution.winner === 'referral'
            ? resultOf(
                await recordSuppressedDelivery(sequelize, {
                  ...common,
                  kind: 'affiliate_sale',
                  deliveryKey: deliveryKeys.affiliateSale(sale),
                  reason: 'the referral won the attribution: the affiliate SALE is suppressed',
                  details: { ...common.details, hadAffiliateTouch: report.attribution.hadAffiliateTouch ?? Boolean(report.attribution.affiliateClickId) },
                  now: deps.clock(),
                }),
              )
            : null;
        const reported = await openDelivery(sequelize, {
          ...common,
          kind: reportedKind(report),
          deliveryKey: report.attribution.winner === 'referral' ? deliveryKeys.referralSale(sale) : deliveryKeys.affiliateSale(sale),
          now: deps.clock(),
        });
        return { reported, suppressed };
      }),

    attemptConversionReport: ({ report, attempt, retryDelayMs }) =>
      deliveryActivityBody(async () => {
        const kind = reportedKind(report);
        const businessId = deliveryBusinessIds.sale(saleOf(report));
        const current = await deliveryToAttempt(sequelize, kind, businessId);
        if (isTerminalDeliveryStatus(current.status)) return { state: 'ended', result: resultOf(current) };
        const requestId = deliveryRequestId(current.deliveryKey, attempt);
        const { performance } = impact.forProduct(report.product);
        const end = performance.enabled ? await reportOnce(performance, report, current.queuedUri, requestId) : disabledEnd(deps, report.product);
        return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, end);
      }),

    openSaleReversal: ({ reversal, workflowId }) =>
      deliveryActivityBody(() => {
        const sale = saleOf(reversal);
        return openDelivery(sequelize, {
          kind: 'sale_reversal',
          businessId: deliveryBusinessIds.sale(sale),
          deliveryKey: deliveryKeys.saleReversal(sale),
          product: reversal.product,
          programKey: reversal.programKey ?? null,
          userId: reversal.userId ?? null,
          workflowId,
          impactOrderId: orderIdFor(reversal.sourcePaymentId),
          details: { conversionId: reversal.conversionId, adverseKind: reversal.adverseKind },
          now: deps.clock(),
        });
      }),

    attemptSaleReversal: ({ reversal, attempt, retryDelayMs }) =>
      deliveryActivityBody(async () => {
        const businessId = deliveryBusinessIds.sale(saleOf(reversal));
        const current = await deliveryToAttempt(sequelize, 'sale_reversal', businessId);
        if (isTerminalDeliveryStatus(current.status)) return { state: 'ended', result: resultOf(current) };
        const requestId = deliveryRequestId(current.deliveryKey, attempt);
        const end = await reverseOnce(reversal, current.queuedUri, requestId);
        return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, end);
      }),
  };
}
