import { z } from 'zod';
import { rewardViewSchema } from '../storefront/referral-views';
import { externalIdSchema, instantSchema, productSchema } from '../openapi/common.schemas';

export const renewalDueRequestSchema = z
  .strictObject({
    subscriptionId: externalIdSchema.meta({ description: 'The billing system\'s subscription whose renewal may move' }),
    userId: externalIdSchema.meta({ description: 'The subscriber: beneficiary of the free period applied' }),
    product: productSchema,
    renewsAt: instantSchema.meta({ description: 'The next unpaid renewal boundary' }),
  })
  .meta({ id: 'RenewalDue' });

export const renewalAnswerSchema = z
  .object({
    outcome: z.enum(['applied', 'no_reward_available']),
    renewsAt: z.string(),
    newRenewsAt: z.string().meta({ description: 'Where the renewal moves: one calendar month later per free month (day of month clamped); renewsAt when nothing applied' }),
    reward: rewardViewSchema.omit({ redemption: true }).nullable(),
    redemptionWorkflowId: z.string().nullable().meta({ description: 'The Impact redemption queued for the applied reward' }),
    replayed: z.boolean(),
  })
  .meta({ id: 'RenewalAnswer' });
