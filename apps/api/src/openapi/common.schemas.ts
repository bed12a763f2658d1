import { EXTERNAL_ID_MAX_LENGTH, productKeySchema } from '@referrals/config';
import { z } from 'zod';

/** Every failure: `{ error: { code, message, details: [{ path, message }] } }`. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable snake_case code (request_invalid, role_forbidden, version_conflict, ...)' }),
      message: z.string(),
      details: z.array(
        z.object({
          path: z.string().meta({ description: 'Where in the request: body.amount.minor, query.limit, params.key' }),
          message: z.string(),
        }),
      ),
    }),
  })
  .meta({ id: 'ErrorResponse' });

/** An instant on the wire: ISO 8601 with an offset (`2026-01-05T10:00:00Z`), never a local time. */
export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with an offset, like 2026-01-05T10:00:00Z' });

/** Ids the host owns (users, payments, issuances, events): opaque, printable, bounded. */
export const externalIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(EXTERNAL_ID_MAX_LENGTH, `must be at most ${EXTERNAL_ID_MAX_LENGTH} characters`)
  // Control characters (NUL above all: PostgreSQL text cannot hold it) are refused here, as a 400.
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

/** The largest PostgreSQL `integer` (int4): program versions are stored as one. */
export const INT4_MAX = 2_147_483_647;
/** The largest PostgreSQL `bigint` (int8): row ids are, and travel as digit strings. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

/** A program version in a body (`expectedVersion`, simulate's `version`): 1 up to what int4 holds. */
export const versionSchema = z.int().min(1).max(INT4_MAX, `must be at most ${INT4_MAX}`);

/** A program version in a path or query (a string on the wire), bounded like {@link versionSchema}. */
export const versionParamSchema = z.coerce.number().int().min(1).max(INT4_MAX, `must be at most ${INT4_MAX}`);

/**
 * A bigint row id on the wire (`rewardId`, `afterId`): a digit string PostgreSQL's bigint can hold
 * (at most 9223372036854775807), never a JSON number (ids past 2^53 would lose digits).
 */
export const bigintIdSchema = (what: string, options: { allowZero?: boolean } = {}) =>
  z
    .string()
    .regex(options.allowZero ? /^\d{1,19}$/ : /^[1-9]\d{0,18}$/, `must be a ${what} id`)
    .refine((s) => !/^\d{1,19}$/.test(s) || BigInt(s) <= INT8_MAX, `must be at most ${INT8_MAX}`);

/** `kilo_pass`, `tutoring`: a product of the catalog registry. */
export const productSchema = productKeySchema;

export const programKeySchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a program key like kilo-pass-referrals');

/** Money on the wire: integer minor units and an ISO 4217 currency (`{ minor: 4900, currency: "USD" }`). */
export const moneySchema = z.strictObject({
  minor: z.int('must be an integer amount of minor units (cents)').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD'),
});

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

/** A started (or already running / finished) workflow the request caused. */
export const workflowRefSchema = z.object({
  type: z.string(),
  workflowId: z.string(),
  outcome: z.enum(['started', 'already_running', 'already_finished', 'signaled']),
});
