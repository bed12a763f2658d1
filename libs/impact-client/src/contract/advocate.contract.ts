import { z } from 'zod';

/**
 * Impact Advocate payloads as the published descriptions state them. Our own schema files, written
 * from (never copied out of):
 * - Reward v13: api-evangelist/impact `openapi/_original/impact-brand-advocate-reward-v13-openapi.yml`
 *   (`RewardList` is an array of `Reward`, `RewardDebitRequest`, `RewardDebitResponse`, `Error`);
 * - the SaaSquatch swagger, saasquatch/schema `src/yaml/saasquatch-api.yaml`, and shared/impact-api.md
 *   §1 for the open-endpoint participant upsert (`UserInput` fields; `locale` as `language_COUNTRY`;
 *   `referredByCodes[]` in the current form, `referredBy` in the older one).
 *
 * Requests are strict (the client must send nothing undocumented); participant answers are checked
 * for the fields we rely on and their types, since the User object carries many more.
 */

const epochMs = z.number().int().nonnegative();

/** The participant fields Advocate accepts on upsert (unknown fields: 400 INVALID_JSON_REQUEST). */
export const upsertParticipantRequestContract = z.strictObject({
  id: z.string().min(1),
  accountId: z.string().min(1),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  locale: z.string().regex(/^[a-z]{2,3}_([A-Z]{2}|\d{3})$/, 'must be language_COUNTRY (RS039)').optional(),
  countryCode: z.string().regex(/^[A-Z]{2}$/).optional(),
  cookies: z.string().max(512).optional(),
  segments: z.array(z.string()).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
});

export const participantResponseContract = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  email: z.string().nullable().optional(),
  referralCode: z.string().nullable().optional(),
  referralCodes: z.record(z.string(), z.string()),
  referredByCodes: z.array(z.string()).optional(),
  referredBy: z.looseObject({ code: z.string().nullable(), isConverted: z.boolean(), newlyReferred: z.boolean() }).optional(),
  locale: z.string().regex(/^[a-z]{2,3}_([A-Z]{2}|\d{3})$/).nullable().optional(),
});

const redemptionContract = z.strictObject({ id: z.string(), dateRedeemed: epochMs, quantityRedeemed: z.number().int().positive() });

/** Reward v13 `Reward` (the CREDIT fields; `amount` / fuel tank fields belong to FUELTANK rewards). */
export const rewardContract = z.strictObject({
  id: z.string(),
  uniqueId: z.string().nullable().optional(),
  dateCreated: epochMs.optional(),
  programId: z.string().nullable(),
  programRewardKey: z.string().nullable().optional(),
  globalRewardKey: z.string().nullable().optional(),
  referralId: z.string().nullable().optional(),
  type: z.enum(['PCT_DISCOUNT', 'CREDIT', 'FUELTANK']),
  dateGiven: epochMs,
  dateExpires: epochMs.nullable(),
  dateCancelled: epochMs.nullable(),
  dateScheduledFor: epochMs.nullable(),
  cancellable: z.boolean(),
  rewardSource: z.enum(['FRIEND_SIGNUP', 'REFERRED', 'MANUAL']),
  unit: z.string(),
  name: z.string().optional(),
  description: z.string().nullable().optional(),
  // Documented as integers; a custom unit with decimals (Kilo Pass USD) breaks this: see README.
  assignedCredit: z.number().int().nonnegative(),
  redeemedCredit: z.number().int().nonnegative(),
  redemptions: z.array(redemptionContract),
  currency: z.string().nullable(),
  accountId: z.string(),
  userId: z.string(),
});

export const rewardListContract = z.array(rewardContract);

/** `RewardDebitRequest`: `amount` is documented as an integer. */
export const redeemRequestContract = z.strictObject({ amount: z.number().int().positive(), unit: z.string().min(1) });

export const redeemResponseContract = z.strictObject({
  creditRedeemed: z.number().int().positive(),
  creditAvailable: z.number().int().nonnegative(),
  unit: z.string(),
});

/** Reward v13 `Error`. */
export const advocateErrorContract = z.strictObject({
  statusCode: z.number().int(),
  message: z.string(),
  apiErrorCode: z.string().optional(),
  rsCode: z.string().regex(/^RS\d{3}$/).optional(),
});
