import { z } from 'zod';
import { conversionEventSchema } from './impact-config.schema';
import { MAX_CLICK_ID_LENGTH } from './conversion-fields';

const amountMinorSchema = z.union([
  z.number().int('must be an integer of minor units').refine(Number.isSafeInteger, 'must be a safe integer'),
  z.bigint(),
]);

/** A conversion as the engine knows it; the client maps it to Impact's field names. */
export const conversionInputSchema = z
  .object({
    event: conversionEventSchema,
    /**
     * The business id `OrderId` derives from, deterministically: the payment's source id for a
     * referral SALE, the user id for a SIGNUP. Resubmissions therefore carry the same OrderId.
     */
    orderSourceId: z.string().trim().min(1, 'is required'),
    eventDate: z.union([z.date(), z.iso.datetime({ offset: true })]).transform((d) => (d instanceof Date ? d.toISOString() : d)),
    /** The `im_ref` click id; omit it for referral SALEs. Opaque, sent untouched. */
    clickId: z.string().min(1).max(MAX_CLICK_ID_LENGTH, `must be at most ${MAX_CLICK_ID_LENGTH} characters`).optional(),
    /** A non-PII customer id (the user id, never the email). */
    customerId: z.string().trim().min(1, 'is required'),
    /** Plain address; only its SHA-1 leaves the process. */
    customerEmail: z.string().trim().min(3).optional(),
    /** Defaults to `NEW` for SIGNUP. */
    customerStatus: z.string().trim().min(1).optional(),
    currencyCode: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'must be a three-letter currency code')
      .transform((c) => c.toUpperCase())
      .optional(),
    /** Line amount in minor units (cents); sent as a 2-decimal string. */
    amountMinor: amountMinorSchema.optional(),
    item: z
      .object({
        category: z.string().optional(),
        name: z.string().optional(),
        quantity: z.number().int().positive().optional(),
        sku: z.string().optional(),
      })
      .optional(),
    promoCode: z.string().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.amountMinor !== undefined && input.currencyCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['currencyCode'], message: 'is required with an amount' });
    }
    if (input.event === 'SALE' && input.amountMinor === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amountMinor'], message: 'is required for a SALE' });
    }
  });
export type ConversionInput = z.input<typeof conversionInputSchema>;

export const dispositionCodeSchema = z.enum(['REJECTED', 'CONS_FRAUD', 'ITEM_RETURNED']);
export type DispositionCode = z.infer<typeof dispositionCodeSchema>;

/** `{ Status: "OK", Uri }` (recorded) or `{ Status: "QUEUED", QueuedUri }`. */
export const submissionResponseSchema = z.looseObject({
  Status: z.string(),
  Uri: z.string().nullish(),
  QueuedUri: z.string().nullish(),
});

/**
 * `GET` of a queued submission (Submissions v14 `ApiSubmission`: `BatchId`, `Status` Queued |
 * In Progress | Complete, `Type`, `ErrorType`, `ErrorReason`, `OrderId`, `Uri` to itself). No action
 * id is documented: success never depends on one. If Impact volunteers `ActionId`, `ActionUri` or an
 * `/Actions/<id>` Uri, it is kept (a reversal by action id is then possible).
 */
export const apiSubmissionSchema = z.looseObject({
  BatchId: z.string().nullish(),
  Status: z.string(),
  Type: z.string().nullish(),
  ErrorType: z.string().nullish(),
  ErrorReason: z.string().nullish(),
  CompletionDate: z.string().nullish(),
  OrderId: z.string().nullish(),
  ActionId: z.union([z.string(), z.number()]).nullish(),
  ActionUri: z.string().nullish(),
  Uri: z.string().nullish(),
});
export type ApiSubmission = z.infer<typeof apiSubmissionSchema>;

const ACTION_URI = /\/Actions\/([^/?#]+)\/?(?:[?#].*)?$/;

/** `.../Actions/1234.5678.9012` → `1234.5678.9012`. */
export function actionIdFromUri(uri: string | null | undefined): string | null {
  const match = uri ? ACTION_URI.exec(uri) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

export function actionIdOfSubmission(submission: ApiSubmission): string | null {
  if (submission.ActionId !== null && submission.ActionId !== undefined && String(submission.ActionId).trim() !== '') {
    return String(submission.ActionId).trim();
  }
  return actionIdFromUri(submission.ActionUri) ?? actionIdFromUri(submission.Uri);
}
