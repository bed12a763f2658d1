import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ApiError, errorBody } from './api-error';
import { isDatabaseUnavailable } from './database-unavailable';
import { domainErrorToApi } from './domain-errors';

/** Unknown routes: the same error shape as every other failure. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('route_not_found', `no route for ${req.method} ${req.path}`));
};

/**
 * Last middleware: ApiErrors (and domain errors, through their one mapping) keep their status and
 * code; body-parser failures become 400/413/415, a malformed percent-escape in the path 400; anything else is a 500 whose details stay in the log,
 * not in the response.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const known = error instanceof ApiError ? error : domainErrorToApi(error);
  if (known) {
    if (known.status === 503) res.setHeader('retry-after', '5');
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  if (isDatabaseUnavailable(error)) {
    // PostgreSQL is down or unreachable: nothing was decided; the same request can be sent again.
    req.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'database unavailable');
    res.setHeader('retry-after', '5');
    res.status(503).json(errorBody('database_unavailable', 'the database is not reachable right now; retry the same request later'));
    return;
  }
  if (error instanceof URIError) {
    // The router could not decode a path parameter (`%FF%FE`, `%zz`): the client's mistake.
    res
      .status(400)
      .json(
        errorBody('path_malformed', 'the request path has a malformed percent-escape', [
          { path: 'path', message: 'every % must start a percent-escape of UTF-8 (like %2F)' },
        ]),
      );
    return;
  }
  const parserError = error as { type?: string; status?: number; expose?: boolean };
  if (parserError.type === 'encoding.unsupported') {
    res
      .status(415)
      .json(
        errorBody('unsupported_content_encoding', 'the request body has a Content-Encoding the api cannot decode', [
          { path: 'headers.content-encoding', message: 'must be identity, gzip, deflate or br' },
        ]),
      );
    return;
  }
  if (parserError.type === 'charset.unsupported') {
    res
      .status(415)
      .json(errorBody('unsupported_charset', 'the request body has a charset the api cannot decode', [{ path: 'headers.content-type', message: 'charset must be utf-8' }]));
    return;
  }
  if (parserError.type === 'entity.too.large') {
    res.status(413).json(errorBody('body_too_large', 'request body exceeds the size limit'));
    return;
  }
  if (parserError.type === 'entity.parse.failed') {
    res.status(400).json(errorBody('malformed_json', 'request body is not valid JSON', [{ path: 'body', message: 'invalid JSON' }]));
    return;
  }
  if (parserError.expose === true && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    // Any other client error of the body parser (a gzip body that is not gzip, an aborted upload).
    res.status(parserError.status).json(errorBody('body_unreadable', 'the request body could not be read', [{ path: 'body', message: (error as Error).message }]));
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  res.status(500).json(errorBody('internal_error', 'internal error'));
};
