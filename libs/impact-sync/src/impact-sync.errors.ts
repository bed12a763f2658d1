/**
 * Every way an impact-sync call can fail, as exact snake_case codes, each saying whether retrying
 * the SAME call can succeed (the worker maps non-retryable codes to non-retryable Temporal
 * failures; the api maps them to HTTP statuses).
 */
export const impactSyncErrorCodes = {
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
} as const satisfies Record<string, { retryable: boolean; meaning: string }>;

export type ImpactSyncErrorCode = keyof typeof impactSyncErrorCodes;

export class ImpactSyncError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: ImpactSyncErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ImpactSyncError';
    this.retryable = impactSyncErrorCodes[code].retryable;
  }
}

export function isImpactSyncError(error: unknown): error is ImpactSyncError {
  return error instanceof ImpactSyncError;
}
