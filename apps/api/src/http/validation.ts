import { issuesOf } from '@referrals/errors';
import { type z } from 'zod';
import { ApiError, type ErrorDetail } from './api-error';

/**
 * zod issues as error details located in the request (`body.amount.minor`, `query.limit`): one
 * detail per problem, every problem at once, unknown fields one by one (the issues of
 * @referrals/errors, as the domain libs report them).
 */
export function issuesToDetails(prefix: string, issues: readonly z.core.$ZodIssue[], input: unknown): ErrorDetail[] {
  return issuesOf(issues, input).map((issue) => ({ path: locatePath(prefix, issue.path), message: issue.message }));
}

/** A lib issue path located in the request: `outcomes[0].amount` under `body` is `body.outcomes[0].amount`. */
export function locatePath(prefix: string, path: string): string {
  if (!path) return prefix || '(request)';
  if (!prefix) return path;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** Parses each part of a request with its schema; one 400 listing every problem of every part. */
export function parseRequest<P, Q, B>(parts: {
  params?: { schema: z.ZodType<P>; value: unknown };
  query?: { schema: z.ZodType<Q>; value: unknown };
  body?: { schema: z.ZodType<B>; value: unknown };
}): { params: P; query: Q; body: B } {
  const details: ErrorDetail[] = [];
  const out: Record<string, unknown> = {};
  for (const name of ['params', 'query', 'body'] as const) {
    const part = parts[name];
    if (!part) continue;
    // A JSON body that is absent arrives as undefined; validate it as an empty object so the
    // caller learns which fields are required rather than "expected object".
    const value = name === 'body' && part.value === undefined ? {} : part.value;
    const result = (part.schema as z.ZodType).safeParse(value);
    if (result.success) out[name] = result.data;
    else details.push(...issuesToDetails(name, result.error.issues, value));
  }
  if (details.length > 0) {
    throw new ApiError(400, 'request_invalid', `the request is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  }
  return out as { params: P; query: Q; body: B };
}
