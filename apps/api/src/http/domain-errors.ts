import { type AttributionErrorCode } from '@referrals/attribution';
import { isDomainError } from '@referrals/errors';
import { type ImpactSyncErrorCode } from '@referrals/impact-sync';
import { type LedgerErrorCode } from '@referrals/ledger';
import { type ProgramErrorCode } from '@referrals/programs';
import { type RewardingErrorCode } from '@referrals/rewarding';
import { ApiError, type ErrorDetail } from './api-error';
import { locatePath } from './validation';

/** Every code a domain lib can throw (each lib's error is a DomainError with one of its codes). */
export type DomainErrorCode = AttributionErrorCode | ImpactSyncErrorCode | LedgerErrorCode | ProgramErrorCode | RewardingErrorCode;

/**
 * The one place where domain failures become HTTP answers: the HTTP status of every code of every
 * lib (a code several libs share means the same everywhere). The libs speak in stable snake_case
 * codes, never statuses; their codes are passed through unchanged so a caller can act on them.
 * 500 means a bug or a broken deployment: the error handler logs it and answers `internal_error`.
 */
export const HTTP_STATUS_BY_CODE = {
  // Validation: fix the request.
  input_invalid: 400,
  product_unknown: 400,
  fact_undeclared: 400,
  program_unknown: 400,
  // A host-sent instant in the future (beyond the clock skew) or before 2000.
  time_in_future: 400,
  time_too_old: 400,
  // Nothing has this id or key.
  referral_not_found: 404,
  reward_not_found: 404,
  conversion_not_found: 404,
  issuance_not_found: 404,
  delivery_not_found: 404,
  program_not_found: 404,
  program_version_not_found: 404,
  // Conflicts with what is stored (or with a concurrent call).
  exists_with_different_content: 409,
  conversion_exists_with_different_content: 409,
  event_exists_with_different_content: 409,
  referral_code_taken: 409,
  version_conflict: 409,
  priority_conflict: 409,
  reward_transition_illegal: 409,
  exceeds_credits: 409,
  transaction_conflict: 409,
  impact_reward_already_chosen: 409,
  delivery_not_requeueable: 409,
  conversion_already_recorded: 409,
  delivery_not_restartable: 409,
  program_retired: 409,
  // A well-formed request that the rules refuse.
  program_invalid: 422,
  program_key_mismatch: 422,
  program_product_changed: 422,
  program_unchanged: 422,
  // Money from the price table (rewarding): nothing was written.
  tier_unknown: 422,
  monthly_price_mismatch: 422,
  currency_mismatch: 422,
  reward_above_maximum: 422,
  // Bugs and broken deployments.
  transaction_must_have_two_entries: 500,
  debits_must_equal_credits: 500,
  ledger_invariant_broken: 500,
  stored_program_invalid: 500,
  config_invalid: 500,
} as const satisfies Record<DomainErrorCode, number>;

/**
 * Where the lib's issue paths live in the request (`body`, `body.document`, `query`); a lib issue
 * `rewardRules[0].operator` becomes `body.document.rewardRules[0].operator`.
 */
export interface PathContext {
  prefix: string;
}

function statusOf(code: string): number | undefined {
  return Object.hasOwn(HTTP_STATUS_BY_CODE, code) ? HTTP_STATUS_BY_CODE[code as DomainErrorCode] : undefined;
}

/** An ApiError for a domain error with a client status, or undefined for anything else (a 500). */
export function domainErrorToApi(error: unknown, context: PathContext = { prefix: 'body' }): ApiError | undefined {
  if (!isDomainError(error)) return undefined;
  const status = statusOf(error.code);
  if (status === undefined || status >= 500) return undefined;
  const details: ErrorDetail[] = error.issues.map((i) => ({ path: locatePath(context.prefix, i.path), message: i.message }));
  return new ApiError(status, error.code, error.message, details);
}

/** Rethrows a domain error as its ApiError; anything else unchanged (the error handler answers 500). */
export function rethrowAsApiError(error: unknown, context?: PathContext): never {
  throw domainErrorToApi(error, context) ?? error;
}
