/**
 * One problem with an input, located by a path into it (`metadata.utm.source`,
 * `rewardRules[0].operator`; `''` is the input itself), with a stable snake_case code
 * (`field_required`, `field_invalid`, `field_unknown`, `field_too_long`, or a lib's own).
 */
export interface Issue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Everything of a DomainError besides its code and message; every part is optional. */
export interface DomainErrorOptions {
  /** Field problems (`input_invalid`, or a lib's validation error). Default: none. */
  readonly issues?: readonly Issue[];
  /** Plain data for logs and callers (`{ rewardId }`). Default: `{}`. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Whether retrying the SAME call can succeed. Default: the lib's catalog says, else false. */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * The one error shape of the domain libs: a stable snake_case `code` (the code is the sentence),
 * a message for humans, the `issues` of an invalid input, whether a retry of the same call can
 * succeed, and plain `details`. Every lib's error class is a thin subclass
 * (`class LedgerError extends DomainError<LedgerErrorCode>`), constructed the same way:
 * `new LedgerError(code, message, { issues?, details?, retryable? })`.
 *
 * Apps map codes, never classes: the api to HTTP statuses, the worker to (non-)retryable failures.
 */
export class DomainError<Code extends string = string> extends Error {
  readonly issues: readonly Issue[];
  readonly details: Readonly<Record<string, unknown>>;
  readonly retryable: boolean;

  constructor(
    readonly code: Code,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? false;
  }
}

export function isDomainError(error: unknown, code?: string): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}

/** What a lib documents about each of its codes: whether a retry can succeed, and what it means. */
export interface ErrorCodeDoc {
  readonly retryable: boolean;
  readonly meaning: string;
}

/**
 * The codes of a lib's catalog as a const array (`ledgerErrorCodes`), so apps can check that their
 * code tables cover every code a lib can throw.
 */
export function codesOf<Code extends string>(catalog: Readonly<Record<Code, ErrorCodeDoc>>): readonly Code[] {
  return Object.freeze(Object.keys(catalog) as Code[]);
}
