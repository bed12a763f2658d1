import { BUSINESS_ID_MAX_LENGTH, deliveryKinds, deliveryStatuses } from '@referrals/impact-sync';
import { z } from 'zod';
import { bigintIdSchema, externalIdSchema } from '../openapi/common.schemas';
import { rewardViewSchema } from '../storefront/referral-views';

const statusCounts = z.record(z.enum(deliveryStatuses), z.int());

export const deliveryViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(deliveryKinds),
    businessId: z.string(),
    product: z.string(),
    programKey: z.string().nullable(),
    userId: z.string().nullable(),
    workflowId: z.string().nullable().meta({ description: 'Search it in the Temporal UI' }),
    status: z.enum(deliveryStatuses),
    attempts: z.int(),
    lastError: z.object({ code: z.string(), message: z.string(), httpStatus: z.int().nullable() }).nullable(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable().meta({ description: 'While retrying: when the next attempt runs' }),
    updatedAt: z.string(),
  })
  .meta({ id: 'Delivery' });

export const opsStateQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Items per list' }),
});

export const opsStateResponseSchema = z
  .object({
    deliveries: z.object({
      byCategory: z.object({ registrations: statusCounts, conversionReports: statusCounts, redemptions: statusCounts }),
      byKind: z.record(z.enum(deliveryKinds), statusCounts),
    }),
    needsAttention: z
      .object({ registrations: z.array(deliveryViewSchema), conversionReports: z.array(deliveryViewSchema), redemptions: z.array(deliveryViewSchema) })
      .meta({ description: 'Pending, retrying and failed Impact work, newest first' }),
    disqualifiedReferrals: z.array(
      z.object({
        id: z.string(),
        product: z.string(),
        refereeUserId: z.string(),
        referrerUserId: z.string().nullable(),
        status: z.enum(['disqualified', 'no_program']),
        reasons: z.array(z.string()),
        createdAt: z.string(),
      }),
    ),
    notRewardedConversions: z
      .array(
        z.object({
          conversionId: z.string().meta({ description: '{provider}:{sourceId}: read it with GET /v1/admin/conversions/{conversionId}' }),
          referralId: z.string(),
          product: z.string(),
          userId: z.string(),
          decisionCode: z.string(),
          reasons: z.array(z.string()),
          recordedAt: z.string(),
        }),
      )
      .meta({ description: 'Conversions of referred users that rewarded nobody, newest first, with their eligibility reasons (annual_subscription, earlier_subscription, attribution_expired, ...)' }),
    disqualifiedRewards: z.array(rewardViewSchema).meta({ description: 'Grants recorded as disqualified (an adverse notice came first), with the reason' }),
    rewardsByStatus: z.record(z.string(), z.int()),
    outbox: z
      .object({
        rows: z.int().meta({ description: 'Temporal work (workflow starts, signals) written by the api and not relayed yet' }),
        oldestAgeSeconds: z.int().meta({ description: 'Age of the oldest of those rows (0 when there is none)' }),
        retrying: z.int().meta({ description: 'Of them, rows whose relay failed at least once (Temporal away or refusing)' }),
        lastError: z.string().nullable(),
      })
      .meta({ description: 'The outbox backlog: work the worker\'s relay has not handed to Temporal yet' }),
    ledgerVerification: z
      .object({
        checkedAt: z.string(),
        violationCount: z.int().meta({ description: '0: the books are sound' }),
        violations: z.array(z.object({ code: z.string(), message: z.string() })),
      })
      .nullable()
      .meta({ description: 'The latest verifyLedger run of the verify-ledger schedule (null before the first); run it now with POST /v1/admin/schedules/verify-ledger/run' }),
    temporalUi: z
      .object({ url: z.string().meta({ description: 'TEMPORAL_UI_URL' }), namespace: z.string() })
      .nullable()
      .meta({ description: 'Where a workflow opens: {url}/namespaces/{namespace}/workflows/{workflowId}; null when TEMPORAL_UI_URL is not set' }),
  })
  .meta({ id: 'OpsState' });

/** The largest age filter (ten years): bounded so the number fits PostgreSQL's int. */
const AGE_FILTER_MAX_SECONDS = 10 * 365 * 24 * 3600;

export const listDeliveriesQuerySchema = z.strictObject({
  kind: z.enum(deliveryKinds).optional(),
  status: z.enum(deliveryStatuses).optional(),
  olderThanSeconds: z.coerce.number().int().min(0).max(AGE_FILTER_MAX_SECONDS).optional().meta({ description: 'Only deliveries created at least this many seconds ago (stuck work)' }),
  newerThanSeconds: z.coerce.number().int().min(0).max(AGE_FILTER_MAX_SECONDS).optional().meta({ description: 'Only deliveries created at most this many seconds ago (recent problems)' }),
  order: z.enum(['newest', 'oldest']).default('newest').meta({ description: 'Newest first by default: a fresh failure is on the first page' }),
  programKey: z.string().min(1).max(100).optional(),
  userId: externalIdSchema.optional(),
  afterId: bigintIdSchema('delivery', { allowZero: true }).optional().meta({ description: 'The nextAfterId of the previous page' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const listDeliveriesResponseSchema = z.object({ deliveries: z.array(deliveryViewSchema), nextAfterId: z.string().nullable() }).meta({ id: 'DeliveryList' });

/** One delivery in a path: `/v1/admin/ops/deliveries/{kind}/{businessId}/...`. */
export const deliveryParamsSchema = z.strictObject({ kind: z.enum(deliveryKinds), businessId: z.string().min(1).max(BUSINESS_ID_MAX_LENGTH) });

export const requeueDeliveryResponseSchema = z
  .object({
    delivery: deliveryViewSchema,
    workflowId: z.string().meta({ description: 'The workflow that sends it again (a new run, queued through the outbox)' }),
  })
  .meta({ id: 'RequeuedDelivery' });

export const deliveryAttemptsResponseSchema = z
  .object({
    attempts: z.array(
      z.object({
        attempt: z.int(),
        outcome: z.string(),
        errorCode: z.string().nullable(),
        errorMessage: z.string().nullable(),
        httpStatus: z.int().nullable(),
        requestId: z.string().nullable(),
        nextAttemptAt: z.string().nullable(),
        recordedAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'DeliveryAttempts' });
