/**
 * Every client call returns one of these instead of throwing: the caller (a Temporal activity)
 * decides from `kind` alone whether to retry, stop, or treat the call as done. Codes are stable
 * snake_case strings meant to be stored as a work item's "last error".
 */

/** Retrying the same request later can succeed. */
export type TransientCode =
  | 'network_error'
  | 'timeout'
  | 'cancelled'
  | 'rate_limited'
  | 'server_error'
  /** A 2xx whose body did not match the schema. Retried because every operation is idempotent. */
  | 'unexpected_response'
  /** A queued Performance submission completed with an `ErrorType` the documents do not list: resent. */
  | 'queued_submission_failed'
  /** A queued Performance submission is still Queued / In Progress after the polls allowed. */
  | 'submission_pending'
  /** No reward matching the local one is visible in Advocate yet. */
  | 'reward_not_visible';

/** Resending the same payload cannot succeed; fix the payload or the configuration first. */
export type PermanentCode =
  | 'invalid_input'
  | 'bad_request'
  | 'unauthorized'
  | 'request_failed'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'client_error'
  | 'reward_already_redeemed'
  | 'reward_not_cancellable'
  /** A queued submission completed with a configuration reason (campaign, action tracker, terms). */
  | 'submission_configuration_error'
  /** A queued submission completed with `ErrorType` Validation (or a validation reason). */
  | 'submission_validation_error'
  /** A queued submission completed with any other `Contract Error`: processed, not payable. */
  | 'submission_contract_error';

/** Nothing was sent: the product has no Impact configuration for this call. */
export type DisabledCode =
  | 'impact_product_not_configured'
  | 'impact_advocate_not_configured'
  | 'impact_performance_not_configured'
  | 'impact_event_not_configured';

export interface FieldError {
  field: string;
  message: string;
}

export interface ImpactOk<T> {
  kind: 'ok';
  value: T;
  requestId: string;
}

export interface ImpactTransient {
  kind: 'transient';
  code: TransientCode;
  message: string;
  /** From Retry-After / X-RateLimit-Reset (or the poll interval); absent means "use your backoff". */
  retryAfterMs?: number;
  httpStatus?: number;
  /** For `submission_pending`: poll this instead of resubmitting. */
  queuedUri?: string;
  requestId: string;
}

export interface ImpactPermanent {
  kind: 'permanent';
  code: PermanentCode;
  message: string;
  httpStatus?: number;
  /** Advocate's `apiErrorCode` (for example `INVALID_JSON_REQUEST`). */
  apiErrorCode?: string;
  /** Advocate's `rsCode`. */
  rsCode?: string;
  fieldErrors: FieldError[];
  requestId: string;
}

/** Impact says the reward is already redeemed and this local reward chose it on an earlier attempt. */
export interface ImpactAlreadyRedeemed {
  kind: 'already_redeemed';
  rewardId: string;
  message: string;
  requestId: string;
}

export interface ImpactDisabled {
  kind: 'disabled';
  code: DisabledCode;
  product: string;
  message: string;
  requestId: string;
}

export type ImpactFailure = ImpactTransient | ImpactPermanent | ImpactDisabled;
export type ImpactOutcome<T> = ImpactOk<T> | ImpactFailure;

export const ok = <T>(value: T, requestId: string): ImpactOk<T> => ({ kind: 'ok', value, requestId });

export function transient(
  code: TransientCode,
  message: string,
  requestId: string,
  extra: Pick<ImpactTransient, 'retryAfterMs' | 'httpStatus' | 'queuedUri'> = {},
): ImpactTransient {
  const outcome: ImpactTransient = { kind: 'transient', code, message, requestId };
  // Only set what is known, so `toEqual` in tests and stored JSON stay free of undefined keys.
  if (extra.retryAfterMs !== undefined) outcome.retryAfterMs = extra.retryAfterMs;
  if (extra.httpStatus !== undefined) outcome.httpStatus = extra.httpStatus;
  if (extra.queuedUri !== undefined) outcome.queuedUri = extra.queuedUri;
  return outcome;
}

export function permanent(
  code: PermanentCode,
  message: string,
  requestId: string,
  extra: Partial<Pick<ImpactPermanent, 'httpStatus' | 'apiErrorCode' | 'rsCode' | 'fieldErrors'>> = {},
): ImpactPermanent {
  const outcome: ImpactPermanent = { kind: 'permanent', code, message, fieldErrors: extra.fieldErrors ?? [], requestId };
  if (extra.httpStatus !== undefined) outcome.httpStatus = extra.httpStatus;
  if (extra.apiErrorCode !== undefined) outcome.apiErrorCode = extra.apiErrorCode;
  if (extra.rsCode !== undefined) outcome.rsCode = extra.rsCode;
  return outcome;
}

export const disabled = (code: DisabledCode, product: string, message: string, requestId: string): ImpactDisabled => ({
  kind: 'disabled',
  code,
  product,
  message,
  requestId,
});

/** True for outcomes that count as done: `ok` and `already_redeemed`. */
export function isSuccess<T>(
  outcome: ImpactOutcome<T> | ImpactAlreadyRedeemed,
): outcome is ImpactOk<T> | ImpactAlreadyRedeemed {
  return outcome.kind === 'ok' || outcome.kind === 'already_redeemed';
}

/** True when the same call may succeed later without any change (retry with backoff). */
export function isRetryable(outcome: { kind: string }): outcome is ImpactTransient {
  return outcome.kind === 'transient';
}
