/**
 * What a completed API submission's `ErrorType` / `ErrorReason` mean for the caller.
 *
 * Source: Impact Brand API "Submissions" (v14) OpenAPI, `ApiSubmission.ErrorType` / `ErrorReason`
 * and the reason list of `FtpErrorDetail.Reason`, as stored in api-evangelist/impact under
 * `openapi/_original/impact-brand-submissions-v14-openapi.yml`. The document names two error types,
 * `Validation` (the data is malformed) and `Contract Error` (valid data that no contract pays), and
 * says the list is not exhaustive ("some common values").
 *
 * - A configuration reason (wrong campaign, action tracker not in it or not active, no terms for
 *   the event) cannot be fixed by resending: permanent, an operator fixes the configuration.
 * - `Validation` (or a validation reason): permanent, the payload must change.
 * - Any other `Contract Error`: Impact processed the conversion and decided it is not payable
 *   (no contract, no referral, outside the window, ...); resending the same OrderId changes nothing.
 * - `CONV_DUPLICATE`: an action with this OrderId already exists. The OrderId is our idempotency key,
 *   so this is the answer to a resubmission of a conversion Impact already has: delivered.
 * - Anything else (an error type the document does not list): the document is silent, so it is
 *   treated as transient and resent with the same OrderId (Impact deduplicates it); the delivery's
 *   maximum age still ends it visibly.
 */

/** Reasons that say the campaign or action tracker configuration is wrong. */
const CONFIGURATION_REASONS = new Set([
  'CAMPAIGN_NOT_FOUND',
  'ACTIONTRACKER_CAMPAIGN_MISMATCH',
  'ACTIONTRACKER_NOT_ACTIVE',
  'ACTIONTRACKER_NOT_FOUND',
  'ACTIONTERMS_NOT_FOUND',
  'REFTYPE_NOT_ACCEPTED',
]);

/** Reasons that say the submitted data itself is wrong. */
const VALIDATION_REASONS = new Set(['MALFORMED', 'OID_MISSING', 'NO_ITEM']);

const DUPLICATE_REASON = 'CONV_DUPLICATE';

export type SubmissionErrorClass =
  | { kind: 'none' }
  | { kind: 'duplicate' }
  | { kind: 'permanent'; code: 'submission_configuration_error' | 'submission_validation_error' | 'submission_contract_error' }
  | { kind: 'transient' };

/** `ErrorReason` is a space-separated list of reason codes (`CONTRACT_NOT_FOUND RESTRICTED_PROMOCODE`). */
export function submissionErrorReasons(errorReason: string | null | undefined): string[] {
  return (errorReason ?? '')
    .split(/[\s,;]+/)
    .map((r) => r.trim().toUpperCase())
    .filter(Boolean);
}

export function classifySubmissionError(errorType: string | null | undefined, errorReason: string | null | undefined): SubmissionErrorClass {
  const type = (errorType ?? '').trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  const reasons = submissionErrorReasons(errorReason);
  if (!type && reasons.length === 0) return { kind: 'none' };
  if (reasons.includes(DUPLICATE_REASON)) return { kind: 'duplicate' };
  if (reasons.some((r) => CONFIGURATION_REASONS.has(r))) return { kind: 'permanent', code: 'submission_configuration_error' };
  if (type === 'validation' || reasons.some((r) => VALIDATION_REASONS.has(r))) return { kind: 'permanent', code: 'submission_validation_error' };
  if (type === 'contract error') return { kind: 'permanent', code: 'submission_contract_error' };
  return { kind: 'transient' };
}
