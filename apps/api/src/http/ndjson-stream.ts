import { type Request, type Response } from 'express';
import { errorBody } from './api-error';
import { domainErrorToApi } from './domain-errors';

export const NDJSON = 'application/x-ndjson';

/** Whether the caller asked for a streamed answer (`Accept: application/x-ndjson`). */
export const acceptsNdjson = (req: Request): boolean => (req.headers.accept ?? '').includes(NDJSON);

/**
 * An answer sent as lines of JSON while the work goes on (progress of a long read, then the
 * result). The status and headers leave with the first line, so anything refused before it (bad
 * input, unknown program) still gets the usual JSON error with its HTTP status.
 */
export class NdjsonStream {
  constructor(
    private readonly req: Request,
    private readonly res: Response,
  ) {}

  /** Whether a line has been sent (from then on, failures can only be told in a line). */
  get started(): boolean {
    return this.res.headersSent;
  }

  line(value: unknown): void {
    if (!this.res.headersSent) {
      this.res.status(200);
      this.res.setHeader('content-type', `${NDJSON}; charset=utf-8`);
      this.res.setHeader('cache-control', 'no-store');
    }
    this.res.write(`${JSON.stringify(value)}\n`);
  }

  /**
   * Ends the stream with an error line: the domain error's code and message, or `internal_error`
   * for anything else (its details stay in the server log, as for a 500).
   */
  fail(error: unknown): void {
    const api = domainErrorToApi(error);
    if (!api) this.req.log.error({ err: error }, 'streamed answer failed');
    this.line({ type: 'error', ...(api ? errorBody(api.code, api.message, api.details) : errorBody('internal_error', 'the work stopped on an internal error')) });
    this.res.end();
  }

  end(): void {
    this.res.end();
  }
}
