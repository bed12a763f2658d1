import { type ErrorRequestHandler, type RequestHandler } from 'express';
import { ApiError, errorBody } from './api-error';
import { domainErrorToApi } from './domain-errors';

/** Unknown routes: the same error shape as every other failure. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(errorBody('route_not_found', `no route for ${req.method} ${req.path}`));
};

/**
 * Last middleware: ApiErrors (and domain errors, through their one mapping) keep their status and
 * code; body-parser failures become 400/413; anything else is a 500 whose details stay in the log,
 * not in the response.
 */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const known = error instanceof ApiError ? error : domainErrorToApi(error);
  if (known) {
    if (known.status === 503) res.setHeader('retry-after', '5');
    res.status(known.status).json(errorBody(known.code, known.message, known.details));
    return;
  }
  const parserError = error as { type?: string; status?: number };
  if (parserError.type === 'entity.too.large') {
    res.status(413).json(errorBody('body_too_large', 'request body exceeds the size limit'));
    return;
  }
  if (parserError.type === 'entity.parse.failed') {
    res.status(400).json(errorBody('malformed_json', 'request body is not valid JSON', [{ path: 'body', message: 'invalid JSON' }]));
    return;
  }
  req.log.error({ err: error }, 'unhandled error');
  res.status(500).json(errorBody('internal_error', 'internal error'));
};
