/** One problem with a request, located by a path into it (`body.amount`, `query.state`). */
export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * An error the api answers with `{ error: { code, message, details } }`. Domain libs never know
 * HTTP: they throw or return stable codes, and the routes translate them into an ApiError.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string, details: ErrorDetail[] = []) {
  return { error: { code, message, details } };
}
