import { ATTRIBUTION_REASONS } from '@referrals/attribution';
import { z } from 'zod';
import { conversionOutcomeViewSchema, rewardViewSchema } from '../storefront/referral-views';

export const conversionIdParamsSchema = z.strictObject({
  conversionId: z
    .string()
    .max(300)
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}:.+$/, 'must be {provider}:{sourceId}, e.g. stripe:in_123')
    .meta({ description: 'The conversion id {provider}:{sourceId} (stripe:in_123; a lesson: lesson-events:{eventId}): the sourceConversionId of its rewards' }),
});

export const markEligibleRequestSchema = z
  .strictObject({
    operator: z.string().trim().min(1).max(200).meta({ description: 'Who decides (recorded as the audit record): alice@example.com' }),
    reason: z.string().trim().min(1).max(1000).meta({ description: 'Why, under the support process (a ticket id)' }),
  })
  .meta({ id: 'MarkConversionEligibleRequest' });

export const markEligibleResponseSchema = z
  .object({
    conversionId: z.string(),
    operator: z.string(),
    reason: z.string(),
    markedAt: z.string(),
    replayed: z.boolean().meta({ description: 'The conversion had been marked before: the first mark stands' }),
  })
  .meta({ id: 'ConversionEligibilityMark' });

export const conversionViewSchema = z
  .object({
    id: z.string(),
    attributionId: z.string(),
    provider: z.string(),
    sourceId: z.string(),
    product: z.string(),
    userId: z.string(),
    conversionTime: z.string(),
    sale: z.boolean(),
    windowDays: z.int().meta({ description: 'The attribution window (days) the touches were judged by' }),
    winner: z.enum(['referral', 'affiliate', 'none']),
    reason: z.enum(ATTRIBUTION_REASONS).meta({ description: 'Why the winner won' }),
    reasonText: z.string(),
    winningTouch: z.object({ id: z.string(), kind: z.enum(['referral', 'affiliate']) }).nullable().meta({ description: 'The touch that won; null when nobody won' }),
    verdicts: z
      .array(z.object({ touchId: z.string(), kind: z.enum(['referral', 'affiliate']), verdict: z.string() }))
      .meta({ description: 'Every touch of the user for the product, oldest first: valid, expired, not_accepted, after_conversion' }),
    referralId: z.string().nullable(),
    outcome: conversionOutcomeViewSchema.nullable().meta({ description: 'What rewarding decided and why; null when it never decided this conversion' }),
    recordedAt: z.string(),
    rewards: z.array(rewardViewSchema).meta({ description: 'The rewards it granted, or recorded as not granted (cap_limited, disqualified)' }),
  })
  .meta({ id: 'Conversion' });
