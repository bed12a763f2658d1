import { z } from 'zod';
import { externalIdSchema, instantSchema, productSchema, programKeySchema } from '../openapi/common.schemas';

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
    interval: z.enum(['month', 'year']),
    issuanceNumber: z.int().min(1).meta({ description: '1 for the subscription\'s first base issuance, 2 for the second, ...' }),
    firstTimeSubscriber: z.boolean(),
    subscriberStartedAt: instantSchema,
    welcomePromoEligible: z.boolean().optional().meta({ description: 'The host\'s own welcome-promo eligibility; default true' }),
    promoLaunchCutoffAt: instantSchema.nullable().optional().meta({ description: 'Overrides the worker\'s PROMO_LAUNCH_CUTOFF_AT for this issuance' }),
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
