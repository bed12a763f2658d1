import { z } from 'zod';

/**
 * Impact Performance (Brand API) payloads as the published descriptions state them. Our own schema
 * files, written from (never copied out of):
 * - Conversions v14: api-evangelist/impact `openapi/_original/impact-brand-conversions-v14-openapi.yml`
 *   (`ConversionPayload`, the 200 `{ Status, QueuedUri }`, the 400 `{ Status, errors[{ field, level, message }] }`);
 * - Submissions v14: api-evangelist/impact `openapi/_original/impact-brand-submissions-v14-openapi.yml`
 *   (`ApiSubmission`);
 * - Reversals (`DELETE /Advertisers/{AccountSID}/Actions`): no Brand Actions description is stored
 *   there; the fields (`ActionId` or `ActionTrackerId` + `OrderId`, `DispositionCode`) and the
 *   QUEUED answer come from shared/impact-api.md §2. Silent points are marked where they are chosen.
 *
 * They are strict on purpose: an undocumented field sent by the client, or answered by the fake, fails.
 */

const text = z.string().min(1);
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number');
const integer = z.string().regex(/^\d+$/, 'must be an integer');

/** Numbered item fields (`ItemSku1`, `ItemSubTotal1`, ...), which the document lists as `Item...[i]`. */
const ITEM_FIELD_SCHEMAS: [RegExp, z.ZodType][] = [
  [/^ItemSku\d+$/, text],
  [/^ItemName\d+$/, text],
  [/^ItemCategory\d+$/, text],
  [/^ItemPromoCode\d+$/, text],
  [/^ItemQuantity\d+$/, integer],
  [/^ItemPrice\d+$/, decimal],
  [/^ItemSubTotal\d+$/, decimal],
  [/^ItemDiscount\d+$/, decimal],
];

/**
 * A conversion as sent (the client sends JSON with these names; the document describes the same
 * fields form-encoded). One event identifier and one attribution key are required.
 */
export const conversionRequestContract = z
  .record(z.string(), z.unknown())
  .superRefine((body, ctx) => {
    const named = z
      .strictObject({
        CampaignId: integer,
        ActionTrackerId: integer.optional(),
        EventTypeId: integer.optional(),
        EventTypeCode: text.optional(),
        EventDate: z.iso.datetime({ offset: true }),
        OrderId: z.string().min(1).max(64),
        ClickId: z.string().min(1).max(64).optional(),
        CustomerId: text.optional(),
        PromoCode: text.optional(),
        OrderPromoCode: text.optional(),
        // "must be sent as a SHA1 or SHA256 hash. Plaintext emails are not accepted."
        CustomerEmail: z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a SHA-1 or SHA-256 hex hash').optional(),
        CustomerStatus: text.optional(),
        CurrencyCode: z.string().regex(/^[A-Z]{3}$/, 'must be ISO 4217').optional(),
        IpAddress: text.optional(),
      })
      .safeParse(Object.fromEntries(Object.entries(body).filter(([key]) => !/^Item[A-Za-z]+\d+$/.test(key))));
    if (!named.success) for (const issue of named.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
    for (const [key, value] of Object.entries(body)) {
      if (!/^Item[A-Za-z]+\d+$/.test(key)) continue;
      const schema = ITEM_FIELD_SCHEMAS.find(([pattern]) => pattern.test(key))?.[1];
      if (!schema) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a documented item field' });
      else if (!schema.safeParse(value).success) ctx.addIssue({ code: 'custom', path: [key], message: 'has the wrong format' });
    }
    if (!body['ActionTrackerId'] && !body['EventTypeId'] && !body['EventTypeCode']) {
      ctx.addIssue({ code: 'custom', path: ['ActionTrackerId'], message: 'one event identifier is required' });
    }
    if (!body['ClickId'] && !body['CustomerId'] && !body['PromoCode']) {
      ctx.addIssue({ code: 'custom', path: ['CustomerId'], message: 'one attribution key is required' });
    }
    if (Object.keys(body).some((k) => /^Item(SubTotal|Price)\d+$/.test(k)) && !body['CurrencyCode']) {
      ctx.addIssue({ code: 'custom', path: ['CurrencyCode'], message: 'is required with monetary fields' });
    }
  });

/** 200 from Conversions: only QUEUED with the queued submission's URI is documented. */
export const conversionResponseContract = z.strictObject({
  Status: z.literal('QUEUED'),
  QueuedUri: z.string().regex(/^\/Advertisers\/[^/]+\/APISubmissions\/[^/]+$/),
});

/** 400 from Conversions. */
export const conversionErrorContract = z.strictObject({
  Status: z.literal('ERROR'),
  errors: z.array(z.strictObject({ field: z.string(), level: z.string(), message: z.string() })),
});

/** `GET /Advertisers/{AccountSID}/APISubmissions/{BatchId}`: note there is no action id. */
export const apiSubmissionContract = z
  .strictObject({
    BatchId: z.string().min(1),
    AccountId: z.number().int().optional(),
    SubmissionDate: z.string().optional(),
    CampaignId: z.number().int().optional(),
    ActionTrackerId: z.number().int().optional(),
    MediaPartnerId: z.number().int().optional(),
    EventCode: z.string().optional(),
    OrderId: z.string().nullable().optional(),
    Payload: z.string().optional(),
    Type: z.enum(['Conversion', 'Modification', 'Reversal']),
    Status: z.enum(['Queued', 'In Progress', 'Complete']),
    CompletionDate: z.string().nullable(),
    ErrorType: z.string().nullable(),
    ErrorReason: z.string().nullable(),
    Uri: z.string().regex(/^\/Advertisers\/[^/]+\/APISubmissions\/[^/]+$/),
  })
  .superRefine((s, ctx) => {
    // "Will be empty if the submission is not finished processing."
    if ((s.Status === 'Complete') !== (s.CompletionDate !== null)) {
      ctx.addIssue({ code: 'custom', path: ['CompletionDate'], message: 'is set exactly when the submission is Complete' });
    }
  });

/** Form fields of a reversal (impact-api.md §2; see the header). */
export const reversalRequestContract = z.union([
  z.strictObject({ ActionId: text, DispositionCode: z.enum(['REJECTED', 'CONS_FRAUD', 'ITEM_RETURNED']) }),
  z.strictObject({ ActionTrackerId: integer, OrderId: z.string().min(1).max(64), DispositionCode: z.enum(['REJECTED', 'CONS_FRAUD', 'ITEM_RETURNED']) }),
]);

/** A reversal is queued like a conversion (the same answer shape is assumed: no document says otherwise). */
export const reversalResponseContract = conversionResponseContract;

/** Other Performance errors (401, 404): `{ Status: "ERROR", Message, Errors }` as impact-api.md §2 states. */
export const performanceErrorContract = z.union([
  conversionErrorContract,
  z.strictObject({ Status: z.literal('ERROR'), Message: z.string(), Errors: z.array(z.strictObject({ Field: z.string(), Message: z.string() })).optional() }),
]);
