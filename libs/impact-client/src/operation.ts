import { type CallOptions, type HttpDeps, newRequestId } from './impact-http';
import { type ImpactAlreadyRedeemed, type ImpactOutcome } from './outcome';

export interface OperationScope {
  deps: HttpDeps;
  product: string;
  api: 'advocate' | 'performance';
}

type AnyOutcome = ImpactOutcome<unknown> | ImpactAlreadyRedeemed;

/**
 * Log fields of an outcome. Messages were scrubbed when the outcome was built; values (parsed
 * bodies) are never logged, only their kind and codes.
 */
function outcomeFields(outcome: AnyOutcome): Record<string, unknown> {
  switch (outcome.kind) {
    case 'ok':
      return { outcome: 'ok' };
    case 'already_redeemed':
      return { outcome: outcome.kind, rewardId: outcome.rewardId };
    case 'disabled':
      return { outcome: outcome.kind, code: outcome.code, message: outcome.message };
    case 'transient':
      return {
        outcome: outcome.kind,
        code: outcome.code,
        message: outcome.message,
        httpStatus: outcome.httpStatus,
        retryAfterMs: outcome.retryAfterMs,
      };
    case 'permanent':
      return {
        outcome: outcome.kind,
        code: outcome.code,
        message: outcome.message,
        httpStatus: outcome.httpStatus,
        apiErrorCode: outcome.apiErrorCode,
        rsCode: outcome.rsCode,
        fieldErrors: outcome.fieldErrors.length > 0 ? outcome.fieldErrors : undefined,
      };
  }
}

/**
 * Logs an operation's outcome once: `info` for success and disabled (an expected state), `warn`
 * for failures. `logFields` must already be redacted.
 */
export function logOutcome(
  scope: OperationScope,
  operation: string,
  requestId: string,
  logFields: Record<string, unknown>,
  outcome: AnyOutcome,
  durationMs: number,
): void {
  const fields = { requestId, product: scope.product, api: scope.api, operation, ...logFields, ...outcomeFields(outcome), durationMs };
  if (outcome.kind === 'transient' || outcome.kind === 'permanent') scope.deps.logger.warn(fields, `impact ${operation} failed`);
  else scope.deps.logger.info(fields, `impact ${operation}`);
}

/** Runs one client operation under a request id (the caller's or a new one) and logs its outcome. */
export async function runOperation<O extends AnyOutcome>(
  scope: OperationScope,
  operation: string,
  logFields: Record<string, unknown>,
  options: CallOptions | undefined,
  body: (requestId: string, options: CallOptions) => Promise<O> | O,
): Promise<O> {
  const requestId = options?.requestId ?? newRequestId();
  const started = scope.deps.now();
  const outcome = await body(requestId, { ...options, requestId });
  logOutcome(scope, operation, requestId, logFields, outcome, scope.deps.now() - started);
  return outcome;
}
