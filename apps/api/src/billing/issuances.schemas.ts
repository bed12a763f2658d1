import { issuanceDecisions } from '@referrals/ledger';
import { subscriptionStatuses } from '@referrals/workflows';
import { z } from 'zod';
import { externalIdSchema, instantSchema, productSchema, programKeySchema } from '../openapi/common.schemas';
import { rewardViewSchema } from '../storefront/referral-views';

const issuanceIds = {
  issuanceId: externalIdSchema.meta({ description: 'The billing system\'s id of the monthly base issuance' }),
  subscriberId: externalIdSchema.meta({ description: 'The subscriber: beneficiary of any referral reward applied to the issuance' }),
  product: productSchema,
  programKey: programKeySchema.optional().meta({ description: 'For the Temporal UI only (search attribute and memo)' }),
};

export const issuanceCreatedRequestSchema = z
  .strictObject({
    ...issuanceIds,
    issuanceCreatedAt: instantSchema.meta({ description: 'A referral reward earned later is never applied to this issuance' }),
    periodEndsAt: instantSchema.meta({ description: 'The usage bonus can be earned until then' }),
    interval: z.enum(['month', 'year']).meta({ description: 'An annual subscription\'s issuance never gets the welcome promo nor consumes a referral reward [131]' }),
    subscriptionStatus: z
      .enum(subscriptionStatuses)
      .meta({ description: 'The subscription\'s state at the issuance: only an active one\'s issuance may consume a referral reward [107]; a paused, canceling or canceled one\'s reward stays pending' }),
    issuanceNumber: z.int().min(1).meta({ description: '1 for the subscription\'s first base issuance, 2 for the second, ...' }),
    firstTimeSubscriber: z
      .boolean()
      .meta({ description: 'false for a returning subscriber (any earlier subscription of the product): no welcome promo, normal monthly ramp [132]' }),
    subscriberStartedAt: instantSchema.meta({
      description: 'When the subscription started: before the product\'s welcome-promo launch cutoff the welcome month is month 1, at or after it month 2 [132]',
    }),
    welcomePromoEligible: z.boolean().optional().meta({ description: 'The host\'s own welcome-promo eligibility; default true' }),
  })
  .superRefine((body, ctx) => {
    if (Date.parse(body.periodEndsAt) <= Date.parse(body.issuanceCreatedAt)) {
      ctx.addIssue({ code: 'custom', path: ['periodEndsAt'], message: 'must be after issuanceCreatedAt' });
    }
  })
  .meta({ id: 'IssuanceCreated' });

export const usageThresholdRequestSchema = z
  .strictObject({ ...issuanceIds, crossedAt: instantSchema })
  .meta({ id: 'UsageThresholdCrossed' });

export const issuanceSignalResponseSchema = z
  .object({
    issuanceId: z.string(),
    workflowId: z.string().meta({ description: 'issuance-bonus-{issuanceId}: the workflow deciding the issuance\'s single bonus-like item' }),
    outcome: z
      .enum(['queued'])
      .meta({ description: 'queued: written to the outbox in this request\'s transaction; the relay delivers it to the issuance\'s workflow (started when needed). Once the issuance was decided, a late signal changes nothing.' }),
  })
  .meta({ id: 'IssuanceSignalOutcome' });

export const issuanceIdParamsSchema = z.strictObject({ issuanceId: externalIdSchema });

export const issuanceOutcomeResponseSchema = z
  .object({
    issuanceId: z.string(),
    subscriberId: z.string(),
    product: z.string(),
    workflowId: z.string().meta({ description: 'issuance-bonus-{issuanceId}: the workflow that decides' }),
    status: z.enum(['pending', 'decided']).meta({ description: 'pending: received, the workflow has not decided yet (it may wait for the issuance facts or the usage threshold); decided: final' }),
    decision: z.enum(issuanceDecisions).nullable().meta({ description: 'welcome_promo, referral_bonus, usage_bonus or none; null while pending' }),
    item: z
      .object({ itemKind: z.enum(['bonus', 'promo_first_month_50pct', 'referral_bonus']), rewardId: z.string().nullable(), claimedAt: z.string() })
      .nullable()
      .meta({ description: 'The issuance\'s single bonus-like item (the ledger\'s bonus slot), or null' }),
    consumedReward: rewardViewSchema.nullable().meta({ description: 'The referral reward a referral_bonus consumed, or null' }),
    reason: z.string().meta({ description: 'The decision in words (why this item, why no referral reward was consumed), or why it is still pending' }),
    facts: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The issuance facts as received, with the product\'s welcome-promo launch cutoff; null until issuance-created arrived' }),
    usageThresholdCrossedAt: z.string().nullable(),
    receivedAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'IssuanceOutcome' });
