import { z } from 'zod';
import { externalIdSchema, instantSchema, productSchema, programKeySchema } from '../openapi/common.schemas';
import { referralViewSchema } from './referral-views';

const emailSchema = z.string().max(320, 'must be at most 320 characters').regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address');

/** Host facts for program selection, nested by catalog path (`{ advocate: { toggles: [...] } }`). */
const hostFactsSchema = z
  .record(z.string(), z.unknown())
  .meta({ description: 'Eligibility facts only the host knows, nested by catalog path: { "advocate": { "toggles": ["student_challenge_2025"] }, "invitee": { "country": "US" } }' });

export const signupRequestSchema = z
  .strictObject({
    product: productSchema,
    userId: externalIdSchema,
    anonymousId: externalIdSchema.optional().meta({ description: 'The anonymous session whose touches now belong to the user' }),
    email: emailSchema.meta({ description: 'Checked against deleted-account tombstones (hashed in memory, never stored or logged)' }),
    signedUpAt: instantSchema
      .optional()
      .meta({ description: 'When the account was created; default now. The first call\'s value stands. Refused (400) more than EVENT_TIME_MAX_FUTURE_SKEW_SECONDS ahead (time_in_future) or before 2000 (time_too_old)' }),
    facts: hostFactsSchema.optional(),
  })
  .meta({ id: 'SignupRequest' });

export const signupResponseSchema = z
  .object({
    outcome: z.enum(['referral_recorded', 'no_referral_touch']),
    referral: referralViewSchema.nullable(),
    associatedTouches: z.int(),
    signedUpAt: z.string(),
    replayed: z.boolean(),
    registration: z
      .object({ workflowId: z.string() })
      .nullable()
      .meta({
        description:
          'The referee\'s Impact Advocate registration this signup queued (a referral from a `_saasquatch` touch): written to the outbox with the signup, delivered asynchronously with retries. null otherwise (and on a replay)',
      }),
  })
  .meta({ id: 'SignupResponse' });

export const registerReferralCodeRequestSchema = z
  .strictObject({
    programKey: programKeySchema,
    code: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
    userId: externalIdSchema,
  })
  .meta({ id: 'RegisterReferralCodeRequest' });

export const referralCodeResponseSchema = z
  .object({
    programKey: z.string(),
    code: z.string(),
    userId: z.string(),
    createdAt: z.string(),
    blocked: z.boolean(),
  })
  .meta({ id: 'ReferralCode' });
