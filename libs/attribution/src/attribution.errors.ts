import { codesOf, DomainError, type DomainErrorOptions, type ErrorCodeDoc, type Issue } from '@referrals/errors';

/**
 * Every way an attribution call can fail, as exact snake_case codes. Each says which kind of
 * failure it is (the api maps kinds to HTTP statuses: validation 400, not_found 404, conflict 409)
 * and whether retrying the SAME call can succeed. A failing call changes nothing.
 *
 * Business answers are NOT errors: a touch that is not accepted, a referral that is disqualified
 * or matched no program, a conversion that nobody wins are recorded outcomes with their reasons.
 */
export const attributionErrorCatalog = {
  input_invalid: {
    kind: 'validation',
    retryable: false,
    meaning:
      'the input does not satisfy its schema; `issues` lists each problem with a code (field_required, field_invalid, field_unknown, field_too_long, time_invalid) and a path',
  },
  product_unknown: {
    kind: 'validation',
    retryable: false,
    meaning: 'the product has no catalog in the programs registry (touches with an unknown product are stored for diagnostics instead)',
  },
  program_unknown: {
    kind: 'validation',
    retryable: false,
    meaning: 'no program has this key (registering a referral code)',
  },
  time_in_future: {
    kind: 'validation',
    retryable: false,
    meaning: "a host-sent instant (signedUpAt) is more than the allowed skew after the server's clock",
  },
  time_too_old: {
    kind: 'validation',
    retryable: false,
    meaning: 'a host-sent instant is before 2000-01-01T00:00:00Z',
  },
  referral_code_taken: {
    kind: 'conflict',
    retryable: false,
    meaning: 'the code already belongs to another user in this program; codes are unique per program',
  },
  referral_not_found: {
    kind: 'not_found',
    retryable: false,
    meaning: 'no referral has this id',
  },
  conversion_exists_with_different_content: {
    kind: 'conflict',
    retryable: false,
    meaning: 'this (provider, source payment id) was recorded with another user, product, time or sale flag; the first recording stands',
  },
  conversion_already_recorded: {
    kind: 'conflict',
    retryable: false,
    meaning: 'the conversion was already recorded: an eligibility mark must come before billing sends the payment',
  },
  transaction_conflict: {
    kind: 'conflict',
    retryable: true,
    meaning: 'the database kept aborting the transaction (deadlock or serialization failure); retry',
  },
  config_invalid: {
    kind: 'internal',
    retryable: false,
    meaning: 'the service was built with invalid dependencies (for example a missing or short email hash secret)',
  },
} as const satisfies Record<string, ErrorCodeDoc & { kind: AttributionErrorKind }>;

export type AttributionErrorKind = 'validation' | 'not_found' | 'conflict' | 'internal';
export type AttributionErrorCode = keyof typeof attributionErrorCatalog;

/** Every code an attribution call can throw (apps check their code tables against it). */
export const attributionErrorCodes = codesOf(attributionErrorCatalog);

/** The codes of `issues`: what is wrong with one field. */
export const ISSUE_CODES = [
  'field_required',
  'field_invalid',
  'field_unknown',
  'field_too_long',
  'time_invalid',
  'time_in_future',
  'time_too_old',
  'product_unknown',
  'program_unknown',
] as const;
export type IssueCode = (typeof ISSUE_CODES)[number];

/** One problem with an input, located by a path into it (`metadata.utm.source`); its code is an IssueCode. */
export type AttributionIssue = Issue;

/** The single error type of the lib: a DomainError with the kind and retryability of its code. */
export class AttributionError extends DomainError<AttributionErrorCode> {
  readonly kind: AttributionErrorKind;

  constructor(code: AttributionErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? attributionErrorCatalog[code].retryable });
    this.name = 'AttributionError';
    this.kind = attributionErrorCatalog[code].kind;
  }
}

export function isAttributionError(error: unknown, code?: AttributionErrorCode): error is AttributionError {
  return error instanceof AttributionError && (code === undefined || error.code === code);
}
