import { providerKeySchema } from '@referrals/config';
import { adversePaymentKinds } from '@referrals/ledger';
import { PAYMENT_METHOD_TYPE_PATTERN } from '@referrals/products';
import { PAYMENT_ORIGINS, UNRESOLVED_PAYMENT_METHOD } from '@referrals/rewarding';
import { z } from 'zod';
import { externalIdSchema, instantSchema, moneySchema, productSchema } from '../openapi/common.schemas';

export const providerSchema = providerKeySchema;

export const paymentSucceededRequestSchema = z
  .strictObject({
    eventId: externalIdSchema.optional().meta({ description: 'The billing system\'s event id (informational; the identity is provider + sourcePaymentId)' }),
    provider: providerSchema,
    sourcePaymentId: externalIdSchema.meta({ description: 'The provider\'s payment (invoice) id: the SALE\'s order id in Impact' }),
    product: productSchema,
    userId: externalIdSchema.meta({ description: 'The paying user (the referee when referred)' }),
    email: z.string().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address').optional().meta({ description: 'Only its SHA-1 is sent to Impact' }),
    paidAt: instantSchema.meta({ description: 'Refused (400 time_in_future) more than EVENT_TIME_MAX_FUTURE_SKEW_SECONDS after the server\'s clock, or before 2000 (time_too_old)' }),
    amount: moneySchema.meta({ description: 'What was charged, in minor units' }),
    sequence: z.int().min(1, 'must be 1 or more').meta({ description: '1 for the user\'s first paid payment of the product, 2 for the second, ...' }),
    subscription: z.strictObject({
      id: externalIdSchema.optional(),
      tier: z.string().min(1).max(64).meta({ example: 'tier_49' }),
      interval: z.enum(['monthly', 'yearly']),
      kind: z.enum(['personal', 'team']),
      startedAt: instantSchema,
      hadEarlierSubscription: z
        .boolean()
        .optional()
        .meta({ description: 'The host states the user had another subscription of the product before this one (current or canceled, monthly or annual) that the engine may not have seen: the user is then not an eligible referee (Kilo rules 99, 100). The engine also decides this from every payment it has recorded.' }),
      monthlyPrice: moneySchema.optional().meta({ description: 'The tier\'s monthly list price, as the host knows it: must equal the product\'s price table (422 monthly_price_mismatch otherwise); the table is what rewards are computed from' }),
    }),
    promoCode: z.string().max(100).optional(),
    origin: z
      .enum(PAYMENT_ORIGINS)
      .optional()
      .meta({ description: 'Who made the payment: customer (the default), test, admin_created or manual_adjustment. The last three reward nobody and are not reported to Impact (decision not_customer_payment) unless an operator marked the conversion eligible before (POST /v1/admin/conversions/{conversionId}/eligibility)' }),
    paymentMethod: z
      .strictObject({
        type: z
          .string()
          .regex(PAYMENT_METHOD_TYPE_PATTERN, 'must be a payment method type like card or sepa_debit (1-64 lower-case letters, digits or _)')
          .meta({ description: `The method that settled the payment (card, sepa_debit, us_bank_account, bacs_debit, au_becs_debit, paypal...), or "${UNRESOLVED_PAYMENT_METHOD}" when billing could not resolve it (then not an eligible conversion: payment_instrument_unresolved)` }),
        fingerprint: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .meta({ description: 'The provider\'s fingerprint of the reusable instrument, when it gives one. Only its HMAC is stored; it is never logged or answered' }),
      })
      .optional()
      .meta({ description: 'Kilo rules 176-184: one welcome promo and one referral conversion per reusable payment instrument (the product\'s reusablePaymentMethodTypes). A settlement whose instrument another account claimed is not an eligible conversion (payment_instrument_already_claimed) and its subscriber gets no welcome promo. Absent: the host does not report methods and the guard does not apply' }),
    facts: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'More reward facts only the host knows, nested by catalog path ({ "referee": { "country": "US" } }); a fact the product\'s catalog does not declare for the reward phase is a 400 fact_undeclared naming it' }),
  })
  .meta({ id: 'PaymentSucceeded' });

export const adversePaymentRequestSchema = z
  .strictObject({
    noticeId: externalIdSchema.meta({ description: 'The billing system\'s id of this notice (its identity)' }),
    provider: providerSchema,
    sourcePaymentId: externalIdSchema.meta({ description: 'The payment the notice is about' }),
    product: productSchema,
    kind: z.enum(adversePaymentKinds),
    occurredAt: instantSchema.meta({ description: 'Refused (400) ahead of the server\'s clock beyond the skew, or before 2000' }),
    reason: z.string().min(1).max(1000).optional(),
  })
  .meta({ id: 'AdversePaymentNotice' });

export const adversePaymentResponseSchema = z
  .object({
    noticeId: z.string(),
    paymentId: z.string().meta({ description: 'The ledger conversion id of the payment ({provider}:{sourcePaymentId})' }),
    kind: z.enum(adversePaymentKinds),
    effect: z.enum(['acted', 'already_handled']).meta({ description: 'acted: the first adverse notice of the payment; already_handled: recorded only' }),
    changes: z.array(z.object({ rewardId: z.string(), from: z.string(), to: z.string() })),
    workflows: z.array(z.object({ type: z.string(), workflowId: z.string() })),
  })
  .meta({ id: 'AdversePaymentOutcome' });
