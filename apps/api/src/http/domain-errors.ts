import { isAttributionError } from '@referrals/attribution';
import { isImpactSyncError } from '@referrals/impact-sync';
import { isLedgerError, type LedgerErrorCode } from '@referrals/ledger';
import { isProgramError } from '@referrals/programs';
import { isRewardingError } from '@referrals/rewarding';
import { ApiError, type ErrorDetail } from './api-error';

/**
 * The one place where domain failures become HTTP answers. The libs speak in stable snake_case
 * codes and kinds, never statuses: validation 400, not_found 404, conflict 409, rule_violation
 * 422. Their codes are passed through unchanged so a caller can act on them.
 */
const KIND_STATUS = { validation: 400, not_found: 404, conflict: 409, rule_violation: 422, internal: 500 } as const;

/** The ledger has codes without kinds; this is their HTTP meaning. */
const LEDGER_STATUS: Record<LedgerErrorCode, number> = {
  input_invalid: 400,
  exists_with_different_content: 409,
  transaction_must_have_two_entries: 500,
  debits_must_equal_credits: 500,
  exceeds_credits: 409,
  reward_not_found: 404,
  reward_transition_illegal: 409,
  transaction_conflict: 409,
  ledger_invariant_broken: 500,
};

const IMPACT_SYNC_STATUS: Record<string, number> = {
  input_invalid: 400,
  delivery_not_found: 404,
  exists_with_different_content: 409,
  impact_reward_already_chosen: 409,
  delivery_not_requeueable: 409,
};

/**
 * Where the lib's issue paths live in the request (`body`, `body.document`, `query`); a lib issue
 * `rewardRules[0].operator` becomes `body.document.rewardRules[0].operator`.
 */
export interface PathContext {
  prefix: string;
}

const located = (prefix: string, path: string): string => (path ? (prefix ? `${prefix}.${path}` : path) : prefix || '(request)');

/** An ApiError for a known domain error, or undefined for anything else (a 500). */
export function domainErrorToApi(error: unknown, context: PathContext = { prefix: 'body' }): ApiError | undefined {
  const details = (issues: readonly { path: string; message: string }[]): ErrorDetail[] =>
    issues.map((i) => ({ path: located(context.prefix, i.path), message: i.message }));

  if (isProgramError(error) || isAttributionError(error) || isRewardingError(error)) {
    const status = KIND_STATUS[error.kind];
    if (status === 500) return undefined;
    return new ApiError(status, error.code, error.message, details(error.issues));
  }
  if (isLedgerError(error)) {
    const status = LEDGER_STATUS[error.code];
    if (status === 500) return undefined;
    return new ApiError(status, error.code, error.message, details(error.issues));
  }
  if (isImpactSyncError(error)) {
    return new ApiError(IMPACT_SYNC_STATUS[error.code] ?? 500, error.code, error.message, details(error.issues));
  }
  return undefined;
}

/** Rethrows a domain error as its ApiError; anything else unchanged (the error handler answers 500). */
export function rethrowAsApiError(error: unknown, context?: PathContext): never {
  throw domainErrorToApi(error, context) ?? error;
}
