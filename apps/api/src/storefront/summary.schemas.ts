import { z } from 'zod';
import { externalIdSchema, productSchema } from '../openapi/common.schemas';
import { referralViewSchema, rewardViewSchema } from './referral-views';

export const summaryParamsSchema = z.strictObject({ userId: externalIdSchema });
export const summaryQuerySchema = z.strictObject({ product: productSchema });

export const summaryResponseSchema = z
  .object({
    userId: z.string(),
    product: z.string(),
    referral: referralViewSchema.nullable().meta({ description: 'How the user was referred (as the referee), if at all' }),
    rewards: z.array(rewardViewSchema).meta({ description: 'The user\'s rewards in the product\'s programs (as referrer or referee), oldest first' }),
    introductoryBonus: z
      .object({
        applies: z.enum(['not_blocked', 'does_not_apply']),
        message: z.string().nullable(),
      })
      .meta({
        description:
          'Kilo rules 179, 183: does_not_apply when the user\'s first positive monthly payment used a payment method that already received the introductory bonus (welcome promo) elsewhere. Never names the method or another account',
      }),
    balances: z.array(
      z.object({
        programKey: z.string(),
        unit: z.string(),
        balanceMinor: z.int().meta({ description: 'Owed and not yet consumed (pending + earned)' }),
        openRewards: z.int(),
      }),
    ),
  })
  .meta({ id: 'UserSummary' });
