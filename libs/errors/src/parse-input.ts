import type { z } from 'zod';
import { DomainError, type DomainErrorOptions, type Issue } from './domain-error';

/** The codes `parseInput` gives issues; a refinement may name its own with `params: { issueCode }`. */
export const inputIssueCodes = ['field_required', 'field_invalid', 'field_unknown', 'field_too_long'] as const;
export type InputIssueCode = (typeof inputIssueCodes)[number];

/** The code `parseInput` throws; every lib that parses input has it in its catalog. */
export const INPUT_INVALID = 'input_invalid';

/** The error class a lib throws for an invalid input (`LedgerError`); `DomainError` by default. */
export type InputErrorClass<E extends DomainError = DomainError> = new (
  code: typeof INPUT_INVALID,
  message: string,
  options: DomainErrorOptions,
) => E;

/**
 * Parses `input` with `schema`, or throws ONE `input_invalid` error (an instance of `errorClass`)
 * listing every problem as an issue with a code and a path (`outcomes[0].amountMinor`). Nothing
 * unvalidated gets past it, and it throws before the operation does anything.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  operation: string,
  errorClass: InputErrorClass = DomainError,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw inputInvalid(operation, issuesOf(result.error.issues, input), errorClass);
}

/** `parseInput` bound to a lib's error class: `export const parseInput = inputParser(LedgerError)`. */
export function inputParser(errorClass: InputErrorClass) {
  return <S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> =>
    parseInput(schema, input, operation, errorClass);
}

/** The `input_invalid` error of an operation, for issues found outside a schema. */
export function inputInvalid<E extends DomainError>(operation: string, issues: readonly Issue[], errorClass: InputErrorClass<E>): E {
  const message = `${operation}: ${issues.map((i) => `${i.path || '(input)'} ${i.message}`).join('; ')}`;
  return new errorClass(INPUT_INVALID, message, { issues, details: { operation } });
}

/**
 * zod issues as Issues: unknown fields one by one (`field_unknown`), a missing field
 * `field_required`, an oversized string or array `field_too_long` (a number over its maximum is
 * `field_invalid`), a refinement's own `params.issueCode`, anything else `field_invalid`.
 */
export function issuesOf(issues: readonly z.core.$ZodIssue[], input: unknown): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ code: 'field_unknown', path: formatIssuePath([...issue.path, key]), message: 'is not a field of this input' }));
    }
    const path = formatIssuePath(issue.path);
    const custom = issue.code === 'custom' ? (issue.params as { issueCode?: unknown } | undefined)?.issueCode : undefined;
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    const tooLong = issue.code === 'too_big' && (issue.origin === 'string' || issue.origin === 'array');
    const code = typeof custom === 'string' ? custom : missing ? 'field_required' : tooLong ? 'field_too_long' : 'field_invalid';
    return [{ code, path, message: missing ? 'is required' : issue.message }];
  });
}

/** `outcomes[0].amountMinor`: names joined by dots, array indexes in brackets; `''` is the input itself. */
export function formatIssuePath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : out ? `${out}.${String(segment)}` : String(segment)),
    '',
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}
