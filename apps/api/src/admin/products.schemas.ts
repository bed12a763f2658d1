import { CATALOG_KINDS, DATATYPES, PHASES } from '@referrals/rule-dsl';
import { z } from 'zod';

const factSchema = z.object({
  datatype: z.enum(DATATYPES),
  phases: z.array(z.enum(PHASES)),
  optional: z.boolean().optional(),
  clock: z.boolean().optional().meta({ description: 'The evaluation instant itself (now), filled by the evaluator' }),
  description: z.string(),
});

export const productViewSchema = z
  .object({
    key: z.string().meta({ description: 'The product key (kilo_pass): programs, touches, signups and events name it' }),
    catalog: z.object({
      kind: z.enum(CATALOG_KINDS as [string, ...string[]]).meta({ description: 'The generic rule-dsl catalog kind' }),
      description: z.string(),
      events: z.array(z.string()).meta({ description: 'Event types that may trigger reward evaluation' }),
      facts: z.record(z.string(), factSchema).meta({ description: 'Every fact programs of the product may use, by dotted path (the kind\'s and the host\'s)' }),
    }),
    currency: z.string().meta({ description: 'ISO 4217 currency of the tier prices' }),
    tiers: z.record(z.string(), z.int()).meta({ description: 'Tier key -> monthly list price in minor units of currency' }),
    reportsSales: z.boolean(),
    impact: z.string().nullable().meta({ description: 'The Impact configuration that applies (IMPACT_<KEY>_*), or null' }),
    welcomePromoLaunchCutoffAt: z
      .string()
      .nullable()
      .meta({ description: 'Welcome-promo launch cutoff (UTC): first-time monthly subscribers who started before it get the promo in month 1, at or after it in month 2; null: month 1 for everyone' }),
  })
  .meta({ id: 'Product' });

export const listProductsResponseSchema = z.object({ products: z.array(productViewSchema) }).meta({ id: 'ProductList' });
