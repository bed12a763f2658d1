import { z } from 'zod';

/**
 * A product key (`kilo_pass`, `tutoring`): the one spelling every lib, the api, the worker and
 * the Impact configuration use for a product.
 *
 * lower_snake_case because product keys name environment variables
 * (`IMPACT_KILO_PASS_ADVOCATE_PROGRAM_ID`, `IMPACT_PRODUCTS=kilo_pass`) and must map back to the
 * same key without loss: a dash cannot live in a variable name, so `kilo-pass` and `kilo_pass`
 * could never be told apart there. Program keys are a different thing and stay slugs
 * (`kilo-pass-referrals`).
 */
export const PRODUCT_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

export const PRODUCT_KEY_RULE = 'must be a lower_snake_case product key like kilo_pass (a-z, 0-9 and _, at most 64 characters)';

export const productKeySchema = z.string().regex(PRODUCT_KEY_PATTERN, PRODUCT_KEY_RULE);
