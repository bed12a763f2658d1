import { PAYMENT_INSTRUMENT_OUTCOMES } from '@referrals/attribution';
import { DECISION_CODES } from '@referrals/rewarding';
import { z } from 'zod';
import { referralViewSchema, rewardViewSchema } from '../storefront/referral-views';

export { DECISION_CODES, type DecisionCode } from '@referrals/rewarding';

/** What a qualifying event (payment or lesson) decided; a replay of the event gets exactly this back. */
export const qualifyingEventResponseSchema = z
  .object({
    event: z.object({ type: z.enum(['payment.succeeded', 'lesson.completed']), provider: z.string(), sourceId: z.string() }),
    conversion: z.object({
      id: z.string().meta({ description: 'The ledger\'s conversion id: {provider}:{sourceId}; adverse notices name the payment by it' }),
      attributionId: z.string(),
      winner: z.enum(['referral', 'affiliate', 'none']),
      reason: z.string().meta({ description: 'referral_only, referral_over_affiliate, affiliate_sale_before_referral, affiliate_only, no_valid_touch' }),
      winningTouch: z
        .object({ id: z.string(), kind: z.enum(['referral', 'affiliate']) })
        .nullable()
        .meta({ description: 'The touch that won (null: nobody); GET /v1/admin/conversions/{conversionId} shows every touch\'s verdict' }),
    }),
    referral: referralViewSchema.nullable(),
    decision: z.object({
      code: z.enum(DECISION_CODES),
      programKey: z.string().nullable(),
      programVersion: z.int().nullable(),
      rule: z.object({ index: z.int(), description: z.string() }).nullable(),
      explanation: z.array(z.string()).meta({ description: 'Readable evaluation: which rule matched, or what failed with actual and expected values' }),
      reasons: z
        .array(z.string())
        .meta({ description: 'Eligibility reasons when nobody (or not the referrer) was rewarded (annual_subscription, earlier_subscription, referrer_cap_reached, ...); stored on the conversion and the referral' }),
    }),
    paymentMethod: z
      .object({
        check: z.enum(PAYMENT_INSTRUMENT_OUTCOMES),
        introductoryBonus: z.enum(['not_blocked', 'does_not_apply']),
        message: z.string().nullable(),
      })
      .nullable()
      .optional()
      .meta({
        description:
          'Payments only: what the payment-instrument guard found (Kilo rules 176-184): claimed, own_claim, already_claimed, not_claiming, no_fingerprint, not_reusable, unresolved; null when no paymentMethod was sent. ' +
          'introductoryBonus does_not_apply: the welcome promo is not given (never names the instrument or another account)',
      }),
    rewards: z.array(rewardViewSchema).meta({ description: 'One per role decided: granted (pending/earned), cap_limited or disqualified' }),
    workflows: z.array(z.object({ type: z.string(), workflowId: z.string() })).meta({ description: 'Workflows queued for the event (Impact SALE report...): written to the outbox in the event\'s transaction, started by the relay after it' }),
  })
  .meta({ id: 'QualifyingEventOutcome' });

export type QualifyingEventResponse = z.input<typeof qualifyingEventResponseSchema>;
