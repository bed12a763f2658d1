import { type AttributionErrorCode } from '@referrals/attribution';
import { isDomainError } from '@referrals/errors';
import { type ImpactSyncErrorCode } from '@referrals/impact-sync';
import { type LedgerErrorCode } from '@referrals/ledger';
import { type ProgramErrorCode } from '@referrals/programs';
import { type RewardingErrorCode } from '@referrals/rewarding';
import { ApplicationFailure } from '@temporalio/activity';

/** Every code a domain lib can throw (each lib's error is a DomainError with one of its codes). */
export type DomainErrorCode = AttributionErrorCode | ImpactSyncErrorCode | LedgerErrorCode | ProgramErrorCode | RewardingErrorCode;

/**
 * The one table of what an activity failure with a domain code means to Temporal: `true` fails the
 * activity for good (retrying the same call cannot succeed: a bug in the input or a business
 * refusal); `false` lets Temporal retry it (a concurrent call, a deadlock, a balance that may grow).
 * It agrees with the libs' own `retryable` (a test checks), and covers every code of every lib.
 */
export const NON_RETRYABLE_BY_CODE = {
  input_invalid: true,
  product_unknown: true,
  fact_undeclared: true,
  program_unknown: true,
  time_in_future: true,
  time_too_old: true,
  referral_not_found: true,
  reward_not_found: true,
  conversion_not_found: true,
  issuance_not_found: true,
  delivery_not_found: true,
  program_not_found: true,
  program_version_not_found: true,
  exists_with_different_content: true,
  conversion_exists_with_different_content: true,
  event_exists_with_different_content: true,
  tier_unknown: true,
  monthly_price_mismatch: true,
  currency_mismatch: true,
  reward_above_maximum: true,
  referral_code_taken: true,
  version_conflict: true,
  priority_conflict: true,
  reward_transition_illegal: true,
  delivery_not_requeueable: true,
  conversion_already_recorded: true,
  delivery_not_restartable: true,
  program_retired: true,
  program_invalid: true,
  program_key_mismatch: true,
  program_product_changed: true,
  program_unchanged: true,
  transaction_must_have_two_entries: true,
  debits_must_equal_credits: true,
  ledger_invariant_broken: true,
  stored_program_invalid: true,
  config_invalid: true,
  // Retried by Temporal: another attempt can succeed.
  exceeds_credits: false,
  transaction_conflict: false,
  impact_reward_already_chosen: false,
} as const satisfies Record<DomainErrorCode, boolean>;

/**
 * Domain errors of the libs become ApplicationFailures whose `type` is the lib's stable
 * snake_case code, non-retryable as the table says (a code no table knows: as the error says).
 * Anything else (a database that is down, a lost connection) is rethrown as it is and retried by
 * Temporal.
 */
export function toActivityFailure(error: unknown): unknown {
  if (!isDomainError(error)) return error;
  const nonRetryable = Object.hasOwn(NON_RETRYABLE_BY_CODE, error.code)
    ? NON_RETRYABLE_BY_CODE[error.code as DomainErrorCode]
    : !error.retryable;
  return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable, details: [error.details] });
}

/** Runs an activity body, mapping business errors to stable non-retryable failures. */
export async function withBusinessErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toActivityFailure(error);
  }
}

/** A failure the worker itself raises, with a stable code. */
export function businessFailure(code: string, message: string, details: Record<string, unknown> = {}): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}
