import { codesOf, DomainError, type DomainErrorOptions, type ErrorCodeDoc } from '@referrals/errors';

/**
 * Every way an impact-sync call can fail, as exact snake_case codes, each saying whether retrying
 * the SAME call can succeed (the worker maps non-retryable codes to non-retryable Temporal
 * failures; the api maps them to HTTP statuses).
 */
export const impactSyncErrorCatalog = {
  input_invalid: { retryable: false, meaning: 'the input does not satisfy its schema (see `issues`); fix the call' },
  delivery_not_found: { retryable: false, meaning: 'no delivery is recorded for this kind and business id' },
  exists_with_different_content: {
    retryable: false,
    meaning: 'the work (kind + business id) or its delivery key was first recorded with other content; the first content stands',
  },
  impact_reward_already_chosen: {
    retryable: true,
    meaning: 'another local reward already chose this Impact reward; select again (another reward may become visible)',
  },
  delivery_not_requeueable: { retryable: false, meaning: 'only failed or disabled deliveries can be requeued' },
} as const satisfies Record<string, ErrorCodeDoc>;

export type ImpactSyncErrorCode = keyof typeof impactSyncErrorCatalog;

/** Every code an impact-sync call can throw (apps check their code tables against it). */
export const impactSyncErrorCodes = codesOf(impactSyncErrorCatalog);

/** The single error type of impact-sync: a DomainError whose retryability comes from its code. */
export class ImpactSyncError extends DomainError<ImpactSyncErrorCode> {
  constructor(code: ImpactSyncErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? impactSyncErrorCatalog[code].retryable });
    this.name = 'ImpactSyncError';
  }
}

export function isImpactSyncError(error: unknown, code?: ImpactSyncErrorCode): error is ImpactSyncError {
  return error instanceof ImpactSyncError && (code === undefined || error.code === code);
}
