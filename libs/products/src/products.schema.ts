import { PRODUCT_KEY_PATTERN, PRODUCT_KEY_RULE, providerKeySchema } from '@referrals/config';
import { CATALOG_KINDS, DATATYPES, PHASES } from '@referrals/rule-dsl';
import { z } from 'zod';

/** A payment method type as providers name it (`card`, `sepa_debit`...). */
export const PAYMENT_METHOD_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** The type billing sends when it cannot resolve the payment's method (Kilo: not an eligible settlement). */
export const UNRESOLVED_PAYMENT_METHOD_TYPE = 'unknown';

const productKey = z.string({ message: 'must be a string' }).regex(PRODUCT_KEY_PATTERN, PRODUCT_KEY_RULE);

/** A fact the host declares for one product, on top of its catalog kind (rule-dsl checks the rest). */
const hostFactSchema = z.strictObject({
  datatype: z.enum(DATATYPES, { message: `must be one of ${DATATYPES.join(', ')}` }),
  phases: z.array(z.enum(PHASES, { message: `must be one of ${PHASES.join(', ')}` })).min(1, 'must list at least one phase'),
  optional: z.boolean().optional(),
  description: z.string().trim().min(1, 'must describe the fact'),
});

export const productSchema = z
  .strictObject({
    key: productKey,
    catalog: z.strictObject({
      kind: z.enum(CATALOG_KINDS as [string, ...string[]], { message: `must be a catalog kind: ${CATALOG_KINDS.join(', ')}` }),
      /** Facts the host supplies for this product only (`account.plan`), by dotted path. */
      facts: z.record(z.string(), hostFactSchema).default({}),
    }),
    currency: z.string({ message: 'must be a string' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code like USD'),
    /** Tier key -> the tier's undiscounted monthly list price, in minor units of `currency`. */
    tiers: z.record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'tier keys must be 1-64 letters, digits, _ . or -'),
      z.int({ message: 'must be a whole number of minor units' }).nonnegative('must not be negative'),
    ),
    /** SALEs of this product are reported to Impact Performance. */
    reportsSales: z.boolean({ message: 'must be true or false' }),
    /** The largest money reward one role may get from one event, in minor units of `currency` (a guard against a rule or fact gone wrong). */
    maxRewardMinor: z.int({ message: 'must be a whole number of minor units' }).positive('must be positive').max(Number.MAX_SAFE_INTEGER).default(100_000),
    /**
     * The payment providers whose payments can reward (Kilo Pass at launch: `stripe`; App Store and
     * Google Play are out of scope). Null (the default): any provider. A payment from another
     * provider is recorded and reported as usual but rewards nobody (`unsupported_provider`).
     */
    rewardedProviders: z.array(providerKeySchema).min(1, 'must list at least one provider, or be null').nullable().default(null),
    /**
     * The payment method types whose instrument fingerprint the payment-instrument guard claims
     * (Kilo rules 176-184: `card`, `sepa_debit`, `us_bank_account`, `bacs_debit`, `au_becs_debit`):
     * one welcome promo and one referral conversion per reusable instrument. Empty (the default):
     * the product claims no instrument (a method billing cannot resolve still rewards nobody).
     */
    reusablePaymentMethodTypes: z
      .array(z.string().regex(PAYMENT_METHOD_TYPE_PATTERN, 'payment method types are 1-64 lower-case letters, digits or _'))
      .refine((types) => new Set(types).size === types.length, 'must not list a type twice')
      .refine((types) => !types.includes(UNRESOLVED_PAYMENT_METHOD_TYPE), `"${UNRESOLVED_PAYMENT_METHOD_TYPE}" is the unresolved method, never a reusable type`)
      .default([]),
    /** The Impact configuration that applies (`IMPACT_<KEY>_*` of @referrals/impact-client), or null for none. */
    impact: productKey.nullable(),
    /**
     * The welcome-promo launch cutoff (UTC instant): first-time monthly subscribers who started
     * before it get the welcome promo in month 1, those who started at or after it in month 2.
     * Null (the default): no cutoff, the welcome month is month 1 for everyone.
     */
    welcomePromoLaunchCutoffAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, like 2026-10-09T00:00:00Z' })
      .transform((v) => new Date(v).toISOString())
      .nullable()
      .default(null),
  })
  .superRefine((product, ctx) => {
    if (product.impact !== null && product.impact !== product.key) {
      ctx.addIssue({
        code: 'custom',
        path: ['impact'],
        message: `must be the product's own key "${product.key}" (Impact deliveries are addressed by product key) or null`,
      });
    }
  });

export const productsFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    $comment: z.string().optional(),
    products: z.array(productSchema, { message: 'must be a list of products' }).min(1, 'must declare at least one product'),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.products.forEach((product, index) => {
      if (seen.has(product.key)) ctx.addIssue({ code: 'custom', path: ['products', index, 'key'], message: `"${product.key}" is declared twice` });
      seen.add(product.key);
    });
  });

export type ProductDeclaration = z.output<typeof productSchema>;
export type ProductsFile = z.input<typeof productsFileSchema>;
