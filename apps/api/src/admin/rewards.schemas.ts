import { rewardStatuses } from '@referrals/ledger';
import { z } from 'zod';
import { bigintIdSchema, externalIdSchema, programKeySchema } from '../openapi/common.schemas';
import { rewardViewSchema } from '../storefront/referral-views';

const rewardIdSchema = bigintIdSchema('reward');

export const listRewardsQuerySchema = z.strictObject({
  status: z.enum(rewardStatuses).optional(),
  beneficiaryId: externalIdSchema.optional(),
  programKey: programKeySchema.optional(),
  afterId: bigintIdSchema('reward', { allowZero: true }).optional().meta({ description: 'Keyset page: rewards after this id' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const listRewardsResponseSchema = z
  .object({ rewards: z.array(rewardViewSchema), nextAfterId: z.string().nullable().meta({ description: 'Pass as afterId for the next page; null on the last' }) })
  .meta({ id: 'RewardList' });

export const rewardIdParamsSchema = z.strictObject({ rewardId: rewardIdSchema });

export const resolveReviewRequestSchema = z
  .strictObject({
    decision: z.enum(['keep', 'reverse']).meta({ description: 'keep: back to applied; reverse: taken back (reversed)' }),
    operator: z.string().trim().min(1).max(200).meta({ description: 'Who decides (recorded in the audit trail): alice@example.com' }),
    reason: z.string().trim().min(1).max(1000),
  })
  .meta({ id: 'ResolveReviewRequest' });

export const resolveReviewResponseSchema = z.object({ reward: rewardViewSchema, replayed: z.boolean() }).meta({ id: 'ResolveReviewResponse' });

export const rewardHistoryResponseSchema = z
  .object({
    reward: rewardViewSchema,
    events: z.array(
      z.object({
        fromStatus: z.string().nullable(),
        toStatus: z.string(),
        operation: z.string(),
        actor: z.string(),
        reason: z.string(),
        externalIds: z.record(z.string(), z.string()),
        occurredAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'RewardHistory' });
