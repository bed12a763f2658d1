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

const storedRewardSchema = z.object({
  role: z.enum(['referrer', 'referee']),
  status: z.string().meta({ description: 'pending, earned, cap_limited, disqualified, ... as decided' }),
  kind: z.string().nullable(),
  amountMinor: z.int().nullable(),
  unit: z.string().nullable().meta({ description: 'The currency (money), day/week/month or credit' }),
});

export const decisionRecordViewSchema = z
  .object({
    eventType: z.string(),
    occurredAt: z.string(),
    programKey: z.string().nullable(),
    programVersion: z.int().nullable(),
    code: z.string().meta({ description: 'The decision code (rewarded, no_rule_matched, not_attributed_to_referral, ...)' }),
    rule: z.object({ index: z.int(), description: z.string() }).nullable().meta({ description: 'The rule that decided' }),
    facts: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The exact facts the rules saw; null when the decision came before the rules' }),
    explanation: z.unknown().meta({ description: 'Structured: the window, each rule tried, each condition with subject, operator, expected and actual value' }),
    lines: z.array(z.string()).meta({ description: 'The decision in words, one line per fact of the matter' }),
    rewards: z.array(storedRewardSchema).meta({ description: 'What the decision granted or recorded as not granted, as decided' }),
    recordedAt: z.string(),
  })
  .meta({ id: 'DecisionRecord' });

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
    decision: decisionRecordViewSchema.nullable().meta({ description: 'The decision record: what the rules saw and said, stored with the decision (not re-run); null when none was recorded' }),
    recordedAt: z.string(),
    rewards: z.array(rewardViewSchema).meta({ description: 'The rewards it granted, or recorded as not granted (cap_limited, disqualified)' }),
  })
  .meta({ id: 'Conversion' });
