import { z } from 'zod';
import { externalIdSchema, productSchema, programKeySchema } from '../openapi/common.schemas';

/**
 * Opaque tracking values (`_saasquatch` cookie, `im_ref` click id, referral codes): never parsed.
 * Over 512 characters they are stored cut and not accepted for attribution; the api refuses
 * anything over 4096 outright (no legitimate value is that long).
 */
const trackingValue = z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters');
const metadataValue = z.string().max(200, 'must be at most 200 characters');

const ownerFields = {
  anonymousId: externalIdSchema.optional().meta({ description: 'The storefront\'s anonymous session id (before signup)' }),
  userId: externalIdSchema.optional().meta({ description: 'The user id (after signup)' }),
  product: productSchema,
  programKey: programKeySchema
    .optional()
    .meta({
      description:
        'The program the link targets. Required for a `_saasquatch` touch (without it the touch is kept as `program_unknown`, diagnostics only); a touch with a native referralCode and no programKey resolves the program holding the code',
    }),
  metadata: z
    .strictObject({
      rsCode: trackingValue
        .optional()
        .meta({ description: 'SaaSquatch `rsCode` link parameter: names the referrer of a touch with a `_saasquatch` value; alone (no cookie) it makes no referral touch (`value_missing`)' }),
      rsShareMedium: metadataValue.optional(),
      rsEngagementMedium: metadataValue.optional(),
      utm: z
        .strictObject({
          source: metadataValue.optional(),
          medium: metadataValue.optional(),
          campaign: metadataValue.optional(),
          term: metadataValue.optional(),
          content: metadataValue.optional(),
        })
        .optional(),
    })
    .optional(),
  landingPath: z.string().max(2048, 'must be at most 2048 characters').optional().meta({ description: 'Landing URL or path; only the path is kept' }),
};

export const captureTouchRequestSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('referral'),
      ...ownerFields,
      saasquatchCookie: trackingValue.optional().meta({ description: 'The raw `_saasquatch` cookie value (opaque)' }),
      referralCode: trackingValue.optional().meta({ description: 'A native referral code' }),
    }),
    z.strictObject({
      kind: z.literal('affiliate'),
      ...ownerFields,
      clickId: trackingValue.optional().meta({ description: 'The `im_ref` click id (opaque)' }),
    }),
  ])
  .superRefine((touch, ctx) => {
    if (touch.anonymousId === undefined && touch.userId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['anonymousId'], message: 'a touch needs an anonymousId (before signup) or a userId (after)' });
    }
  })
  .meta({ id: 'CaptureTouchRequest' });

export const captureTouchResponseSchema = z
  .object({
    touch: z.object({
      id: z.string(),
      kind: z.enum(['referral', 'affiliate']),
      product: z.string(),
      programKey: z.string().nullable().meta({ description: 'As sent, or the program a native code resolved to' }),
      status: z.string().meta({
        description:
          'accepted; value_too_long; value_missing (no `_saasquatch` value or native code: metadata alone); product_unknown; program_unknown (a program of another product, a `_saasquatch` touch without programKey, a native code no program of the product holds)',
      }),
      accepted: z.boolean().meta({ description: 'Only accepted touches create referrals and win conversions' }),
      truncated: z.record(z.string(), z.int()).meta({ description: 'Original lengths of values stored cut at 512 characters' }),
      touchedAt: z.string(),
    }),
    replayed: z.boolean().meta({ description: 'The same touch was captured earlier in the same minute: nothing was written' }),
  })
  .meta({ id: 'CaptureTouchResponse' });
