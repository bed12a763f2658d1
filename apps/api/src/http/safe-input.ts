import { ApiError, type ErrorDetail } from './api-error';
import { locatePath } from './validation';

/** How deep a request's JSON (or query) may nest: deeper is refused before anything reads it. */
export const MAX_INPUT_DEPTH = 64;

/** U+0000 (PostgreSQL text cannot hold it) and UTF-16 surrogates without their pair (not Unicode text). */
const NUL = '\u0000';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(value: string): string | undefined {
  if (value.includes(NUL)) return 'must not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone surrogate (not valid Unicode)';
  return undefined;
}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? locatePath(path, key) : locatePath(path, `[${JSON.stringify(key)}]`);
}

/**
 * Walks every string (and object key) of a request part before any schema or handler sees it:
 * a NUL or a lone surrogate anywhere is a 400 naming its field (one rule for every string, whether
 * its schema lives in the api or in a lib), and nesting deeper than {@link MAX_INPUT_DEPTH} is a
 * 400 at the first level too deep (nothing later recurses into an unbounded structure). Iterative,
 * so the walk itself cannot overflow the stack.
 */
export function unsafeInputDetails(part: string, value: unknown): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: part, depth: 0 }];
  for (let next = stack.pop(); next !== undefined && details.length < 20; next = stack.pop()) {
    const { value: current, path, depth } = next;
    if (typeof current === 'string') {
      const problem = stringProblem(current);
      if (problem) details.push({ path, message: problem });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      details.push({ path, message: `nests deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, i) => [`[${i}]`, item])
      : Object.entries(current as Record<string, unknown>);
    for (const [key, item] of entries.reverse()) {
      if (!Array.isArray(current)) {
        const problem = stringProblem(key);
        if (problem) {
          details.push({ path, message: `has a key that ${problem}` });
          continue;
        }
      }
      stack.push({ value: item, path: Array.isArray(current) ? `${path}${key}` : keyPath(path, key), depth: depth + 1 });
    }
  }
  return details;
}

/** Refuses a request whose params, query or body hold a NUL, a lone surrogate or too deep a nesting. */
export function refuseUnsafeInput(parts: { params?: unknown; query?: unknown; body?: unknown }): void {
  const details = (['params', 'query', 'body'] as const).flatMap((name) => unsafeInputDetails(name, parts[name]));
  if (details.length > 0) {
    throw new ApiError(400, 'request_invalid', `the request is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  }
}
