import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import { type ImpactTransient, transient } from './outcome';
import { scrubText } from './redact';

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Correlates our logs, Impact's logs (sent as `X-Request-Id`) and the caller's; generated when absent. */
  requestId?: string;
  /** Overrides the configured timeout for each HTTP request of this call. */
  timeoutMs?: number;
  /** Cancels the call (for example a Temporal activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface HttpDeps {
  fetch: typeof globalThis.fetch;
  logger: Logger;
  now: () => number;
  defaultTimeoutMs: number;
}

export interface HttpCall {
  product: string;
  api: 'advocate' | 'performance';
  operation: string;
  /** Route template for logs: the real URL holds emails (participant ids) and must not be logged. */
  route: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  authorization: string;
  json?: unknown;
  form?: URLSearchParams;
  requestId: string;
  options: CallOptions;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the raw text otherwise, null when empty. */
  body: unknown;
  durationMs: number;
}

export type HttpResult = { kind: 'response'; response: HttpResponse } | ImpactTransient;

export const newRequestId = (): string => randomUUID();

function parseBody(text: string, contentType: string | null): unknown {
  if (text.trim() === '') return null;
  const looksJson = contentType?.includes('json') || /^\s*[[{]/.test(text);
  if (!looksJson) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return scrubText(code ? `${message} (${code})` : message);
}

/**
 * Sends one HTTP request with a timeout and a request id. Never throws: a network failure, a
 * timeout or a cancellation comes back as a transient outcome, every HTTP status as a response.
 * Keep-alive comes from Node's fetch (undici pools connections per origin).
 */
export async function sendRequest(deps: HttpDeps, call: HttpCall): Promise<HttpResult> {
  const timeoutMs = call.options.timeoutMs ?? deps.defaultTimeoutMs;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = call.options.signal ? AbortSignal.any([timeout, call.options.signal]) : timeout;
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization: call.authorization,
    'x-request-id': call.requestId,
  };
  let body: string | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = call.form.toString();
  }

  const started = deps.now();
  const log = { requestId: call.requestId, product: call.product, api: call.api, operation: call.operation, route: call.route };
  try {
    // Redirects are not followed: a redirect would resend credentials somewhere we did not choose.
    const res = await deps.fetch(call.url, { method: call.method, headers, body, signal, redirect: 'manual' });
    const text = await res.text();
    const durationMs = deps.now() - started;
    deps.logger.debug({ ...log, status: res.status, durationMs }, 'impact http exchange');
    return {
      kind: 'response',
      response: { status: res.status, headers: res.headers, body: parseBody(text, res.headers.get('content-type')), durationMs },
    };
  } catch (error) {
    const durationMs = deps.now() - started;
    deps.logger.debug({ ...log, durationMs, error: describeNetworkError(error) }, 'impact http exchange failed');
    if (timeout.aborted) return transient('timeout', `No answer from Impact within ${timeoutMs} ms`, call.requestId);
    if (call.options.signal?.aborted) return transient('cancelled', 'The call was cancelled by the caller', call.requestId);
    return transient('network_error', `Network error talking to Impact: ${describeNetworkError(error)}`, call.requestId);
  }
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Joins a configured base URL (possibly with a path prefix) and an absolute API path. */
export function joinUrl(baseUrl: string, path: string, query?: Record<string, string>): string {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
  return url.toString();
}
