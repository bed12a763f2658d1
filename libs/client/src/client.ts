import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { type paths } from './generated/api';
import { IDEMPOTENCY_KEY_OPERATIONS } from './generated/idempotency-key-operations';
import { retryAfterMs } from './retry-after';

export type ReferralsClient = Client<paths>;

export interface RetryPolicy {
  /** Attempts in all, the first one included (default 5). 1 turns retries off. */
  maxAttempts?: number;
  /** The longest wait between two attempts, whatever `Retry-After` asks (default 30 s). */
  maxDelayMs?: number;
}

/** One retry about to happen: after `attempt` answered 503, the client waits `delayMs`. */
export interface RetryNotice {
  method: string;
  url: string;
  attempt: number;
  delayMs: number;
}

export interface ReferralsClientOptions {
  /** The api's origin, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** An API key of the role the called endpoints need (storefront, billing or admin). */
  apiKey: string;
  retry?: RetryPolicy;
  /** Called before each retry (a progress line, a metric). */
  onRetry?: (notice: RetryNotice) => void;
  /** The `Idempotency-Key` of a call that did not set one (default: a random UUID). */
  idempotencyKey?: () => string;
  /** Injected for tests and special transports; default the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Injected for tests; default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const DEFAULT_MAX_DELAY_MS = 30_000;

/**
 * A typed client of the Referrals api (openapi-fetch over the generated `paths`): every call sends
 * the API key; every call to an operation that accepts an `Idempotency-Key` gets one (unless the
 * caller passes its own), created once per call so that its retries replay the same request; a
 * 503 that carries `Retry-After` (the api's `database_unavailable`: nothing was written) is retried
 * after that wait, up to `retry.maxAttempts`. A 503 without `Retry-After` (a dependency that is not
 * configured) and every other status are answered at once.
 *
 * ```ts
 * const api = createReferralsClient({ baseUrl, apiKey });
 * const { data, error } = await api.POST('/v1/touches', { body: { ... } });
 * ```
 */
export function createReferralsClient(options: ReferralsClientOptions): ReferralsClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: retryingFetch(options),
  });
  // Web Crypto (Node 20, browsers): the client has no Node built-in, so a storefront can bundle it.
  client.use(idempotencyKeys(options.idempotencyKey ?? (() => globalThis.crypto.randomUUID())));
  return client;
}

function idempotencyKeys(newKey: () => string): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (request.headers.has('idempotency-key') || !IDEMPOTENCY_KEY_OPERATIONS.has(`${request.method} ${schemaPath}`)) return undefined;
      request.headers.set('idempotency-key', newKey());
      return request;
    },
  };
}

function retryingFetch(options: ReferralsClientOptions): (request: Request) => Promise<Response> {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      // Each attempt sends a copy: the original request's body stays unread for the next one.
      const response = await send(request.clone());
      if (response.status !== 503 || attempt >= maxAttempts) return response;
      const wait = retryAfterMs(response.headers.get('retry-after'), new Date());
      if (wait === null) return response;
      const delayMs = Math.min(wait, maxDelayMs);
      await response.body?.cancel();
      options.onRetry?.({ method: request.method, url: request.url, attempt, delayMs });
      await sleep(delayMs);
    }
  };
}

/** An answer other than 2xx, as the api describes it (`{ error: { code, message, details } }`). */
export class ReferralsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ReferralsApiError';
  }
}

/**
 * The data of a 2xx answer, or a ReferralsApiError naming the status and the api's error code:
 * `const token = ok(await api.POST('/v1/widget-tokens', { body }))`.
 */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = result.error as { error?: { code?: string; message?: string } } | undefined;
  const code = body?.error?.code ?? `http_${result.response.status}`;
  const message = body?.error?.message ?? result.response.statusText;
  throw new ReferralsApiError(result.response.status, code, `${result.response.status} ${code}: ${message}`, result.error);
}
