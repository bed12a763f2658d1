import { randomUUID } from 'node:crypto';
import { type Logger } from 'pino';
import { logSafeError } from '@referrals/db';
import { pinoHttp } from 'pino-http';

/** A caller's request id is reused when it looks like one; anything else is replaced. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Query parameters whose values are opaque tracking values, personal data or credentials: logged
 * as `[redacted]` whatever route they reach (a misrouted storefront redirect can carry them).
 */
const SENSITIVE_QUERY = /([?&](?:_saasquatch|im_ref|rsCode|email|token|api_key|apiKey|key)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, '$1[redacted]');
}

/**
 * pino-http with a request id on every request: taken from `x-request-id` when the caller sent a
 * sane one, generated otherwise, echoed back in the response header and present on every log line.
 * Bodies are never logged; URLs are logged with sensitive query values redacted.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      // pino-http would put its standard error serializer back: a database error keeps no values.
      err: logSafeError,
      // Receives pino's standard request object (wrapped serializer): drop the parsed query, redact the URL.
      req(req: { url?: string; query?: unknown; [key: string]: unknown }) {
        const { query: _query, ...rest } = req;
        return { ...rest, url: typeof req.url === 'string' ? redactUrl(req.url) : req.url };
      },
    },
    // Probes and scrapes would drown the log.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  });
}
