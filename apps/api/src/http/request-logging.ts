import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RequestHandler } from 'express';
import { type Level, type Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request id: the caller's `x-request-id` when it looks like one, generated otherwise. */
    id: string;
    /** A logger whose lines carry this request (`req`: id, method, redacted URL, headers). */
    log: Logger;
  }
}

/** A caller's request id is reused when it looks like one; anything else is replaced. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Query parameters whose values are opaque tracking values, personal data or credentials: logged
 * as `[redacted]` whatever route they reach (a misrouted storefront redirect can carry them).
 */
const SENSITIVE_QUERY = /([?&](?:_saasquatch|im_ref|rsCode|email|token|api_key|apiKey|key)=)[^&#]*/gi;

/** Probes and scrapes would drown the log. */
const NOT_LOGGED = new Set(['/healthz', '/readyz', '/metrics']);

export function redactUrl(url: string): string {
  return url.replace(SENSITIVE_QUERY, '$1[redacted]');
}

/** What a log line says of a request. Never the body; headers go through the logger's redact paths. */
function requestSummary(req: IncomingMessage & { originalUrl?: string }) {
  return {
    id: req.id,
    method: req.method,
    url: redactUrl(req.originalUrl ?? req.url ?? ''),
    headers: req.headers,
    remoteAddress: req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  };
}

function completionLevel(res: ServerResponse): Level {
  if (!res.writableFinished || res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  return 'info';
}

/**
 * A request id on every request, taken from `x-request-id` when the caller sent a sane one,
 * generated otherwise, echoed back in the response header and present on every log line; and one
 * line per request when it completes (`request completed`, at info; warn for 4xx; error for 5xx
 * and for a response that never finished). Bodies are never logged; URLs are logged with sensitive
 * query values redacted.
 *
 * Written here rather than with pino-http: pino-http builds a child logger bound to the request on
 * every request, and pino serializes a child's bindings when it is made, whether anything is
 * logged or not. On touch capture that was a tenth of the api's CPU (bench:api). Here the request
 * is serialized only for a line that is written: `req.log` is made on first use, and the
 * completion line is built only when its level is enabled.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', req.id);
    let requestLogger: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (requestLogger ??= logger.child({ req: requestSummary(req) })),
    });
    if (!NOT_LOGGED.has(req.path)) {
      const startedAt = Date.now();
      // 'close' comes once per response, after 'finish' or when the connection dropped first.
      res.once('close', () => {
        const level = completionLevel(res);
        if (!logger.isLevelEnabled(level)) return;
        const line = { req: requestSummary(req), res: { statusCode: res.statusCode, headers: res.getHeaders() }, responseTime: Date.now() - startedAt };
        logger[level](line, res.writableFinished ? 'request completed' : 'request aborted');
      });
    }
    next();
  };
}
