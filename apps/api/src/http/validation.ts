import { type z } from 'zod';
import { ApiError, type ErrorDetail } from './api-error';

/**
 * zod issues as error details located in the request (`body.amount.minor`, `query.limit`): one
 * detail per problem, every problem at once. Unknown fields are named one by one.
 */
export function issuesToDetails(prefix: string, issues: readonly z.core.$ZodIssue[], input: unknown): ErrorDetail[] {
  return issues.flatMap((issue) => {
    const path = formatPath(prefix, issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: `${path}.${key}`, message: 'is not a field of this request' }));
    }
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    return [{ path, message: missing ? 'is required' : issue.message }];
  });
}

/** `body.outcomes[0].amount`: array indexes in brackets, as the domain libs write their paths. */
function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${String(segment)}`), prefix);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
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
