import { EXTERNAL_ID_MAX_LENGTH, productKeySchema, providerKeySchema } from '@referrals/config';
import { inputParser } from '@referrals/errors';
import { z } from 'zod';
import { AttributionError } from './attribution.errors';

/*
 * Input schemas of every operation. Each operation parses its input first, so nothing unvalidated
 * reaches SQL; a failure is one `input_invalid` error listing every problem with a code and a path,
 * and it happens before anything is written.
 */

/** Impact does not accept opaque tracking values longer than this; longer ones are stored truncated and not accepted. */
export const TRACKING_VALUE_MAX_LENGTH = 512;
/** User ids, anonymous ids, payment ids: the one limit of host ids (@referrals/config). */
export const ID_MAX_LENGTH = EXTERNAL_ID_MAX_LENGTH;
/** UTM values, share and engagement media. */
export const METADATA_VALUE_MAX_LENGTH = 200;
/** The landing URL or path as sent (its query and fragment are dropped before storage). */
export const LANDING_PATH_MAX_LENGTH = 2048;
export const EMAIL_MAX_LENGTH = 320;
export const MAX_WINDOW_DAYS = 3650;

// PostgreSQL text cannot hold NUL; refusing it here keeps the error a validation error.
const noNul = (s: string) => !s.includes('\u0000');

export const idSchema = z.string().min(1, 'must not be empty').max(ID_MAX_LENGTH, `must be at most ${ID_MAX_LENGTH} characters`).refine(noNul, 'must not contain NUL');

/** `kilo_pass`, `tutoring`: whether it is KNOWN is decided by the programs' catalog registry. */
export const productSchema = productKeySchema;

export const programKeySchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a program key like kilo-pass-referrals');

/** A tracking value as sent: opaque, never parsed; any length (over 512 it is stored truncated and not accepted). */
export const trackingValueSchema = z.string().refine(noNul, 'must not contain NUL');

const metadataValue = z
  .string()
  .max(METADATA_VALUE_MAX_LENGTH, `must be at most ${METADATA_VALUE_MAX_LENGTH} characters`)
  .refine(noNul, 'must not contain NUL');

export const touchMetadataSchema = z.strictObject({
  /** The SaaSquatch `rsCode` link parameter: a referral code, treated like one (opaque, 512 limit). */
  rsCode: trackingValueSchema.optional(),
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
});

/** A `Date`, or an ISO 8601 instant with an explicit offset (`2026-01-05T10:00:00Z`): never a local time. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// z.instanceof, not z.date(): an Invalid Date must reach the transform and be reported as time_invalid.
export const instantSchema = z.union([z.instanceof(Date), z.string()]).transform((value, ctx) => {
  const ms = value instanceof Date ? value.getTime() : INSTANT.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a valid instant: a Date or ISO 8601 with an offset, like 2026-01-05T10:00:00Z',
      params: { issueCode: 'time_invalid' },
    });
    return z.NEVER;
  }
  return new Date(ms);
});

const ownerShape = {
  /** The storefront's anonymous session id, before signup. */
  anonymousId: idSchema.optional(),
  /** The user id, after signup. */
  userId: idSchema.optional(),
  product: productSchema,
  /** The program the link targets (where the referral code is looked up); optional. */
  programKey: programKeySchema.optional(),
  metadata: touchMetadataSchema.optional(),
  /** The landing page (path or URL); only its path is kept. */
  landingPath: z.string().max(LANDING_PATH_MAX_LENGTH, `must be at most ${LANDING_PATH_MAX_LENGTH} characters`).refine(noNul, 'must not contain NUL').optional(),
};

export const captureTouchSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('referral'),
      ...ownerShape,
      /** The raw `_saasquatch` cookie value (Impact Advocate). */
      saasquatchCookie: trackingValueSchema.optional(),
      /** A native referral code. */
      referralCode: trackingValueSchema.optional(),
    }),
    z.strictObject({
      kind: z.literal('affiliate'),
      ...ownerShape,
      /** The `im_ref` click id (Impact Performance). */
      clickId: trackingValueSchema.optional(),
    }),
  ])
  .superRefine((touch, ctx) => {
    if (touch.anonymousId === undefined && touch.userId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['anonymousId'], message: 'a touch needs an anonymousId (before signup) or a userId (after)', params: { issueCode: 'field_required' } });
    }
  });

export type CaptureTouchInput = z.input<typeof captureTouchSchema>;
export type ParsedTouchInput = z.output<typeof captureTouchSchema>;

export const associateTouchesSchema = z.strictObject({ anonymousId: idSchema, userId: idSchema });
export type AssociateTouchesInput = z.input<typeof associateTouchesSchema>;

export const listTouchesSchema = z
  .strictObject({ userId: idSchema.optional(), anonymousId: idSchema.optional(), product: productSchema.optional() })
  .refine((f) => f.userId !== undefined || f.anonymousId !== undefined, {
    message: 'give a userId or an anonymousId',
    path: ['userId'],
    params: { issueCode: 'field_required' },
  });
export type ListTouchesFilter = z.input<typeof listTouchesSchema>;

const referralCodeSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(TRACKING_VALUE_MAX_LENGTH, `must be at most ${TRACKING_VALUE_MAX_LENGTH} characters`)
  .refine(noNul, 'must not contain NUL');

export const registerReferralCodeSchema = z.strictObject({ programKey: programKeySchema, code: referralCodeSchema, userId: idSchema });
export type RegisterReferralCodeInput = z.input<typeof registerReferralCodeSchema>;

export const blockReferrerSchema = z.strictObject({
  programKey: programKeySchema,
  userId: idSchema,
  reason: z.string().min(1).max(1000).optional(),
});
export type BlockReferrerInput = z.input<typeof blockReferrerSchema>;

export const emailSchema = z
  .string()
  .trim()
  .max(EMAIL_MAX_LENGTH, `must be at most ${EMAIL_MAX_LENGTH} characters`)
  .regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address')
  .refine(noNul, 'must not contain NUL');

export const recordAccountDeletionSchema = z.strictObject({ email: emailSchema });
export type RecordAccountDeletionInput = z.input<typeof recordAccountDeletionSchema>;

export const recordSignupSchema = z.strictObject({
  product: productSchema,
  userId: idSchema,
  /** The anonymous session whose touches now belong to the user. */
  anonymousId: idSchema.optional(),
  /** Checked against the deleted-account tombstones (hashed in memory, never stored). */
  email: emailSchema,
  /** When the account was created; defaults to the server clock. The first call's value stands. */
  signedUpAt: instantSchema.optional(),
});
export type RecordSignupInput = z.input<typeof recordSignupSchema>;

export const recordConversionSchema = z.strictObject({
  /** The provider (`stripe`, `lesson-events`): with the source id, the conversion's identity (`ConversionKey` of @referrals/config). */
  provider: providerKeySchema,
  sourceId: idSchema,
  product: productSchema,
  userId: idSchema,
  conversionTime: instantSchema,
  /** A SALE (a paid payment): only a SALE marks the winning affiliate touch sale-attributed. */
  sale: z.boolean().default(true),
  /** Overrides the window (days); by default the pinned program's, else the service default (30). */
  windowDays: z.int().min(1).max(MAX_WINDOW_DAYS).optional(),
});
export type RecordConversionInput = z.input<typeof recordConversionSchema>;

export const conversionKeySchema = z.strictObject({ provider: recordConversionSchema.shape.provider, sourceId: idSchema });
/** The conversion's identity: the `ConversionKey` of @referrals/config. */
export type ConversionKey = z.input<typeof conversionKeySchema>;

/** The most conversions one `listConversions` call returns: a page, never the table. */
export const LIST_CONVERSIONS_MAX_LIMIT = 1000;

export const listConversionsSchema = z.strictObject({
  userId: idSchema,
  limit: z.int('must be an integer').min(1, 'must be at least 1').max(LIST_CONVERSIONS_MAX_LIMIT, `must be at most ${LIST_CONVERSIONS_MAX_LIMIT}`).default(100),
});
export type ListConversionsFilter = z.input<typeof listConversionsSchema>;

export const findReferralSchema = z.strictObject({ product: productSchema, refereeUserId: idSchema });
export type FindReferralInput = z.input<typeof findReferralSchema>;

export const referralIdSchema = z.string().regex(/^[1-9]\d{0,17}$/, 'must be a referral id');

/** The most referrals one `listReferrals` call returns: a page, never the table. */
export const LIST_REFERRALS_MAX_LIMIT = 1000;
export const LIST_REFERRALS_DEFAULT_LIMIT = 100;

const referralStatusSchema = z.enum(['qualified', 'disqualified', 'no_program']);

export const listReferralsSchema = z.strictObject({
  /** One status or several (`['disqualified', 'no_program']`: every referral decided without a program). */
  status: z.union([referralStatusSchema, z.array(referralStatusSchema).min(1, 'give at least one status')]).optional(),
  product: productSchema.optional(),
  /** The pinned program (only qualified referrals have one). */
  programKey: programKeySchema.optional(),
  referrerUserId: idSchema.optional(),
  refereeUserId: idSchema.optional(),
  /** Keyset pagination, newest first: referrals with a smaller id than this one (the last id of the previous page). */
  beforeId: referralIdSchema.optional(),
  limit: z
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(LIST_REFERRALS_MAX_LIMIT, `must be at most ${LIST_REFERRALS_MAX_LIMIT}`)
    .default(LIST_REFERRALS_DEFAULT_LIMIT),
});
export type ListReferralsFilter = z.input<typeof listReferralsSchema>;

export const evaluateReferralRewardSchema = z.strictObject({
  referralId: referralIdSchema,
  /** The event type (`payment.succeeded`, `lesson.completed`). */
  trigger: z.string().min(1).max(100),
  /** The reward-phase facts, in the shape of the product's catalog. */
  facts: z.record(z.string(), z.unknown()),
  at: instantSchema,
});
export type EvaluateReferralRewardInput = z.input<typeof evaluateReferralRewardSchema>;

/**
 * Parses `input` or throws one `input_invalid` AttributionError listing every issue with its code
 * and path (see @referrals/errors; refinements name their own code with `params: { issueCode }`).
 */
export const parseInput = inputParser(AttributionError);
