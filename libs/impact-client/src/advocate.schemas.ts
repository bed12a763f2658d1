import { z } from 'zod';
import { MAX_TRACKING_VALUE_LENGTH } from './conversion-fields';

/**
 * Advocate payloads. Responses are loose objects (extra fields pass) with nullish optional fields:
 * Impact adds fields over time and the documented and observed shapes differ, and a new field must
 * never turn a successful call into a failure. Only what the client relies on is required.
 */

/** What a caller may send on upsert. Built into the request by an explicit allow-list. */
export const upsertParticipantInputSchema = z.object({
  id: z.string().trim().min(1, 'is required'),
  accountId: z.string().trim().min(1, 'is required'),
  email: z.string().trim().min(3).optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  /** Any common form (`en-US`, `en_us`); sent as `en_US`. */
  locale: z.string().optional(),
  countryCode: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
    .transform((c) => c.toUpperCase())
    .optional(),
  /**
   * The raw `_saasquatch` cookie value, opaque and sent untouched; empty string when the user
   * registered with no inbound referral.
   */
  cookies: z.string().max(MAX_TRACKING_VALUE_LENGTH, `must be at most ${MAX_TRACKING_VALUE_LENGTH} characters`).optional(),
  segments: z.array(z.string()).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
});
export type UpsertParticipantInput = z.input<typeof upsertParticipantInputSchema>;

export const participantSchema = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  email: z.string().nullish(),
  referralCode: z.string().nullish(),
  /** Keyed by program id: `{ "51699": "PARTICIPANT9001" }`. */
  referralCodes: z.record(z.string(), z.string().nullable()).nullish(),
  referredBy: z
    .looseObject({
      code: z.string().nullish(),
      isConverted: z.boolean().nullish(),
      newlyReferred: z.boolean().nullish(),
    })
    .nullish(),
  /** Current swagger: every code this participant was referred by (`referredBy` is the older form). */
  referredByCodes: z.array(z.string()).nullish(),
  referable: z.boolean().nullish(),
  shareLinks: z.unknown().optional(),
  programShareLinks: z.unknown().optional(),
  locale: z.string().nullish(),
  customFields: z.record(z.string(), z.unknown()).nullish(),
});
export type AdvocateParticipant = z.infer<typeof participantSchema>;

/** Dates are epoch milliseconds in Advocate's examples; ISO strings are accepted too. */
const advocateDate = z.union([z.number(), z.string()]).nullish();

export const rewardSchema = z.looseObject({
  /** Rewards without an id exist in listings and are never selected. */
  id: z.string().nullish(),
  type: z.string().nullish(),
  /** Reward v13: the program the reward belongs to; null when it belongs to none. */
  programId: z.string().nullish(),
  unit: z.string().nullish(),
  assignedCredit: z.number().nullish(),
  redeemedCredit: z.number().nullish(),
  dateGiven: advocateDate,
  dateExpires: advocateDate,
  dateCancelled: advocateDate,
  dateScheduledFor: advocateDate,
  cancellable: z.boolean().nullish(),
  rewardSource: z.string().nullish(),
  name: z.string().nullish(),
  currency: z.string().nullish(),
  redemptions: z
    .array(
      z.looseObject({
        id: z.string().nullish(),
        dateRedeemed: advocateDate,
        quantityRedeemed: z.number().nullish(),
      }),
    )
    .nullish(),
  accountId: z.string().nullish(),
  userId: z.string().nullish(),
});
export type AdvocateReward = z.infer<typeof rewardSchema>;

/** Documented: `{ rewards: [...] }`; the examples show a bare array. Both are accepted. */
export const rewardListSchema = z
  .union([z.array(rewardSchema), z.looseObject({ rewards: z.array(rewardSchema) })])
  .transform((body) => (Array.isArray(body) ? body : body.rewards));

export const redeemResponseSchema = z.looseObject({
  creditRedeemed: z.number(),
  creditAvailable: z.number().nullish(),
  unit: z.string().nullish(),
});
