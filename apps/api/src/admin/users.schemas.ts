import { TRACKING_PREVIEW_LENGTH } from '@referrals/rewarding';
import { z } from 'zod';
import { externalIdSchema } from '../openapi/common.schemas';
import { referralViewSchema, rewardViewSchema } from '../storefront/referral-views';
import { conversionViewSchema } from './conversions.schemas';

export const userParamsSchema = z.strictObject({ userId: externalIdSchema.meta({ description: 'The host\'s user id' }) });

const trackingPreviewSchema = z
  .object({
    preview: z.string().meta({ description: `The first ${TRACKING_PREVIEW_LENGTH} characters, then … when longer: the full value is never shown` }),
    length: z.int().meta({ description: 'Length of the value as received' }),
  })
  .nullable()
  .meta({ id: 'TrackingPreview' });

export const userTouchViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['referral', 'affiliate']),
    product: z.string(),
    programKey: z.string().nullable(),
    status: z.string().meta({ description: 'How its tracking values were judged at capture (accepted, truncated, ...)' }),
    accepted: z.boolean().meta({ description: 'Only accepted touches create referrals and win conversions' }),
    saasquatchCookie: trackingPreviewSchema,
    referralCode: trackingPreviewSchema,
    clickId: trackingPreviewSchema,
    landingPath: z.string().nullable(),
    touchedAt: z.string(),
    associatedAt: z.string().nullable().meta({ description: 'When the anonymous touch was tied to the user (at signup)' }),
    saleAttributedConversionId: z.string().nullable().meta({ description: 'The conversion whose SALE this affiliate touch won' }),
  })
  .meta({ id: 'UserTouch' });

export const userActivityResponseSchema = z
  .object({
    userId: z.string(),
    touches: z.array(userTouchViewSchema).meta({ description: 'Newest first; tracking values shortened' }),
    referred: z.array(referralViewSchema).meta({ description: 'How the user was referred (as the referee), one per product, with the reasons of the decision' }),
    referrals: z.array(referralViewSchema).meta({ description: 'Referrals the user made (as the referrer), newest first' }),
    conversions: z
      .array(conversionViewSchema.omit({ rewards: true }))
      .meta({ description: 'The user\'s payments and lessons, newest first: the winning touch and why, the decision and its reasons' }),
    rewards: z.array(rewardViewSchema).meta({ description: 'Rewards of the user (as beneficiary), oldest first, with their Impact redemption; GET /v1/admin/rewards/{rewardId} has the audit trail' }),
  })
  .meta({ id: 'UserActivity' });
