import { codesOf, DomainError, type DomainErrorOptions, type ErrorCodeDoc, type Issue } from '@referrals/errors';

/**
 * Every way a programs call can fail, as exact snake_case codes. Each says whether retrying the
 * SAME call can succeed and which kind of failure it is, so the api can map kinds to HTTP statuses
 * (validation 400, not_found 404, conflict 409, rule_violation 422) without a table of its own.
 */
export const programErrorCatalog = {
  input_invalid: {
    kind: 'validation',
    retryable: false,
    meaning: 'the call itself is malformed (author, change note, expected version, key, version): see `issues`',
  },
  product_unknown: {
    kind: 'validation',
    retryable: false,
    meaning: 'the document names a product that has no fact catalog in the registry, so it cannot be validated',
  },
  program_invalid: {
    kind: 'rule_violation',
    retryable: false,
    meaning: 'the document fails save-time validation; `problems` lists every problem with its code and path; nothing was stored',
  },
  program_not_found: {
    kind: 'not_found',
    retryable: false,
    meaning: 'no program has this key',
  },
  program_version_not_found: {
    kind: 'not_found',
    retryable: false,
    meaning: 'the program exists but has no such version',
  },
  version_conflict: {
    kind: 'conflict',
    retryable: false,
    meaning:
      'the expected current version is stale (someone saved in between, or the program already exists); reload, merge and save again',
  },
  priority_conflict: {
    kind: 'conflict',
    retryable: false,
    meaning: 'another active program of the same product has the same priority; change the priority or the status of one of them',
  },
  program_unchanged: {
    kind: 'rule_violation',
    retryable: false,
    meaning: 'the document is the current version\'s: a save with no change would only add a version; change something or keep the current one',
  },
  program_product_changed: {
    kind: 'rule_violation',
    retryable: false,
    meaning: 'a program keeps its product for life (its referral codes and referrals belong to it); create a program with a new key',
  },
  program_retired: {
    kind: 'conflict',
    retryable: false,
    meaning:
      'the program is retired (Kilo rules 69a-69g): it takes no new version, touch, referral, referral code, conversion, reward or widget token; its records stay readable',
  },
  stored_program_invalid: {
    kind: 'internal',
    retryable: false,
    meaning: 'a stored version no longer compiles against the current catalog (the catalog changed under it); a bug to fix in the catalog',
  },
} as const satisfies Record<string, ErrorCodeDoc & { kind: ProgramErrorKind }>;

export type ProgramErrorKind = 'validation' | 'not_found' | 'conflict' | 'rule_violation' | 'internal';
export type ProgramErrorCode = keyof typeof programErrorCatalog;

/** Every code a programs call can throw (apps check their code tables against it). */
export const programErrorCodes = codesOf(programErrorCatalog);

/** One problem with the input, located by a path into it (`expectedVersion`, `rewardRules[0].operator`). */
export type ProgramIssue = Issue;

/**
 * The single error type of the lib: a DomainError with the kind and retryability of its code. Its
 * `issues` are field problems: input issues, or every save-time problem of the document
 * (`program_invalid`).
 */
export class ProgramError extends DomainError<ProgramErrorCode> {
  readonly kind: ProgramErrorKind;

  constructor(code: ProgramErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? programErrorCatalog[code].retryable });
    this.name = 'ProgramError';
    this.kind = programErrorCatalog[code].kind;
  }
}

export function isProgramError(error: unknown, code?: ProgramErrorCode): error is ProgramError {
  return error instanceof ProgramError && (code === undefined || error.code === code);
}
