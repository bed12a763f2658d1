import { z } from 'zod';
import { type HttpResponse } from './impact-http';
import { type FieldError, type ImpactPermanent, type ImpactTransient, type PermanentCode, permanent, transient } from './outcome';
import { scrubText } from './redact';
import { retryAfterMsFrom } from './retry-after';

/** Advocate error body: `{ statusCode, message, apiErrorCode, rsCode }`. */
const advocateErrorSchema = z.looseObject({
  statusCode: z.number().nullish(),
  message: z.string().nullish(),
  apiErrorCode: z.string().nullish(),
  rsCode: z.string().nullish(),
});

/**
 * Performance error bodies. Conversions v14 documents the 400 as `{ Status: "ERROR", errors: [{
 * field, level, message }] }` (lower case); other Impact answers use `{ Status, Message, Errors: [{
 * Field, Message }] }`. Both are read, so field errors survive either way.
 */
const performanceErrorSchema = z.looseObject({
  Status: z.string().nullish(),
  Message: z.string().nullish(),
  Errors: z.array(z.looseObject({ Field: z.string().nullish(), Message: z.string().nullish() })).nullish(),
  errors: z
    .array(z.looseObject({ field: z.string().nullish(), level: z.string().nullish(), message: z.string().nullish() }))
    .nullish(),
});

/** Advocate's rate-limit error code for user-token requests; it is transient whatever the status. */
const ADVOCATE_RATE_LIMIT_CODE = 'RS033';

const PERMANENT_BY_STATUS: Record<number, PermanentCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'request_failed',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
};

export interface ErrorDetails {
  message: string;
  apiErrorCode?: string;
  rsCode?: string;
  fieldErrors: FieldError[];
}

/** Reads whatever error shape either API sent (or plain text), scrubbed for storage and logs. */
export function errorDetailsOf(response: HttpResponse): ErrorDetails {
  const { body, status } = response;
  const fallback = `HTTP ${status}`;
  if (typeof body === 'string') return { message: scrubText(body) || fallback, fieldErrors: [] };
  const performance = performanceErrorSchema.safeParse(body);
  if (performance.success && (performance.data.Message || performance.data.Errors || performance.data.errors)) {
    const fieldErrors = [
      ...(performance.data.Errors ?? []).map((e) => ({ field: e.Field ?? '', message: scrubText(e.Message ?? '') })),
      ...(performance.data.errors ?? []).map((e) => ({ field: e.field ?? '', message: scrubText(e.message ?? '') })),
    ];
    const summary = fieldErrors.length > 0 ? `Validation failed: ${fieldErrors.map((e) => `${e.field} ${e.message}`.trim()).join('; ')}` : fallback;
    return { message: scrubText(performance.data.Message ?? summary), fieldErrors };
  }
  const advocate = advocateErrorSchema.safeParse(body);
  if (advocate.success) {
    const details: ErrorDetails = { message: scrubText(advocate.data.message ?? fallback), fieldErrors: [] };
    if (advocate.data.apiErrorCode) details.apiErrorCode = advocate.data.apiErrorCode;
    if (advocate.data.rsCode) details.rsCode = advocate.data.rsCode;
    return details;
  }
  return { message: fallback, fieldErrors: [] };
}

/**
 * Classifies a non-2xx answer: 429, 5xx and Advocate's RS033 are transient (honouring Retry-After
 * or the rate-limit reset header), any other 4xx is permanent with Impact's codes and field errors.
 * A 3xx is unexpected (redirects are not followed) and retried, since nothing was processed.
 */
export function classifyFailure(response: HttpResponse, requestId: string, nowMs: number): ImpactTransient | ImpactPermanent {
  const { status } = response;
  const details = errorDetailsOf(response);
  const retryAfterMs = retryAfterMsFrom(response.headers, nowMs);
  const isRateLimitCode = details.apiErrorCode === ADVOCATE_RATE_LIMIT_CODE || details.rsCode === ADVOCATE_RATE_LIMIT_CODE;
  if (status === 429 || isRateLimitCode) {
    return transient('rate_limited', `Rate limited by Impact: ${details.message}`, requestId, { retryAfterMs, httpStatus: status });
  }
  if (status >= 500) {
    return transient('server_error', `Impact server error: ${details.message}`, requestId, { retryAfterMs, httpStatus: status });
  }
  if (status < 400) {
    return transient('unexpected_response', `Unexpected HTTP ${status} from Impact`, requestId, { httpStatus: status });
  }
  return permanent(PERMANENT_BY_STATUS[status] ?? 'client_error', details.message, requestId, {
    httpStatus: status,
    apiErrorCode: details.apiErrorCode,
    rsCode: details.rsCode,
    fieldErrors: details.fieldErrors,
  });
}

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

/** A 2xx whose body does not match the schema: named fields only, never the values. */
export function unexpectedBody(error: z.ZodError, requestId: string, httpStatus: number): ImpactTransient {
  const where = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  return transient('unexpected_response', `Impact answered ${httpStatus} with an unexpected body (${where})`, requestId, {
    httpStatus,
  });
}
