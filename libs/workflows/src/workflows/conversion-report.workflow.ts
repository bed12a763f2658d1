import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  type ReportConversionInput,
  type ReportConversionResult,
  type ReverseConversionInput,
  type ReverseConversionResult,
} from '../contracts/conversion-report.contract';
import { type DeliveryProgress } from '../contracts/delivery.contract';
import { deliveryProgressQuery } from '../signals';
import { deliveryActivities, loadWorkflowSettings } from './activity-proxies';
import { runDelivery } from './delivery-loop';

/**
 * Reports a qualifying payment to Impact Performance as a SALE with a deterministic OrderId (the
 * payment's source id): the referral SALE when the referral won (the affiliate SALE is recorded as
 * suppressed, no call), the affiliate SALE with its click id when the affiliate won.
 */
export async function reportConversion(input: ReportConversionInput): Promise<ReportConversionResult> {
  let progress: DeliveryProgress | null = null;
  setHandler(deliveryProgressQuery, () => progress);
  const settings = await loadWorkflowSettings();
  const delivery = deliveryActivities(settings);
  const { resumeAtAttempt, ...report } = input;
  const { reported, suppressed } = await delivery.openConversionReport({ report, workflowId: workflowInfo().workflowId });
  const result = await runDelivery({
    opened: reported,
    settings,
    resumeAtAttempt,
    attempt: (context) => delivery.attemptConversionReport({ ...context, report }),
    continueAsNewAt: (attempt) => continueAsNew<typeof reportConversion>({ ...report, resumeAtAttempt: attempt }),
    onProgress: (p) => {
      progress = p;
    },
    fail: (failure) => delivery.failDeliveryAfterError(failure),
  });
  return { conversionId: input.conversionId, reported: result, suppressed };
}

/**
 * Reverses the SALE reported for a payment after an adverse payment (refund: ITEM_RETURNED,
 * chargeback: REJECTED, fraud: CONS_FRAUD). Waits while the SALE is still being delivered; ends
 * `suppressed` when no SALE reached Impact.
 */
export async function reverseConversion(input: ReverseConversionInput): Promise<ReverseConversionResult> {
  let progress: DeliveryProgress | null = null;
  setHandler(deliveryProgressQuery, () => progress);
  const settings = await loadWorkflowSettings();
  const delivery = deliveryActivities(settings);
  const { resumeAtAttempt, ...reversal } = input;
  const opened = await delivery.openSaleReversal({ reversal, workflowId: workflowInfo().workflowId });
  return runDelivery({
    opened,
    settings,
    resumeAtAttempt,
    attempt: (context) => delivery.attemptSaleReversal({ ...context, reversal }),
    continueAsNewAt: (attempt) => continueAsNew<typeof reverseConversion>({ ...reversal, resumeAtAttempt: attempt }),
    onProgress: (p) => {
      progress = p;
    },
    fail: (failure) => delivery.failDeliveryAfterError(failure),
  });
}
