/**
 * What a log line may say about an error without leaking the values a failed statement carried.
 *
 * A Sequelize or node-postgres error holds the statement (`sql`, where replacements are inlined),
 * its bind `parameters`, PostgreSQL's `detail` ("Failing row contains (…)", "Key (…)=(…)"), the
 * failing `fields`/`errors[].value` of a unique violation, and the same again in `original` and
 * `parent`. Any of them can be a full `_saasquatch` cookie or an email [issue 15 item 4], so a
 * database error is logged from an allowlist: its type, SQLSTATE, constraint, table and column
 * names, and its message and stack with quoted values (`invalid input syntax for type x: "…"`)
 * blanked. Other errors pass through unchanged. Works on an Error and on pino's serialized copy
 * (the api's logger hands it pino's standard serializer's output).
 */
export function logSafeError(error: unknown): unknown {
  if (!isDatabaseError(error)) return error;
  const e = error as Record<string, unknown>;
  const pg = pgSource(e);
  const text = (value: unknown) => (typeof value === 'string' ? scrubValues(value) : undefined);
  return dropUndefined({
    type: typeof e['type'] === 'string' ? e['type'] : error instanceof Error ? error.constructor.name : 'DatabaseError',
    message: text(e['message']),
    stack: text(e['stack']),
    code: stringOf(pg['code']),
    constraint: stringOf(pg['constraint']),
    table: stringOf(pg['table']),
    column: stringOf(pg['column']),
    valuesRedacted: true,
  });
}

/** The keys only database errors have; any one of them can hold statement values. */
const DATABASE_ERROR_KEYS = ['sql', 'parameters', 'original', 'parent', 'detail', 'internalQuery', 'where'] as const;

function isDatabaseError(error: unknown): error is object {
  if (error === null || typeof error !== 'object') return false;
  const e = error as Record<string, unknown>;
  if (DATABASE_ERROR_KEYS.some((key) => e[key] !== undefined)) return true;
  const name = typeof e['type'] === 'string' ? e['type'] : typeof e['name'] === 'string' ? e['name'] : '';
  return name.startsWith('Sequelize');
}

/** node-postgres's own error under a Sequelize one (`parent`/`original`), or the error itself. */
function pgSource(e: Record<string, unknown>): Record<string, unknown> {
  const inner = e['parent'] ?? e['original'];
  return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : e;
}

/** Words after which PostgreSQL quotes a name, not a value: those stay readable. */
const NAME_KINDS = new Set(['relation', 'constraint', 'column', 'table', 'index', 'type', 'schema', 'sequence', 'function', 'database', 'role', 'encoding', 'trigger', 'view', 'operator', 'savepoint', 'extension']);

/** Blanks every quoted literal of a PostgreSQL message except object names (`relation "x"`). */
export function scrubValues(message: string): string {
  return message.replace(/(?:(\w+) )?"(?:[^"]|"")*"/g, (match, word: string | undefined) => (word && NAME_KINDS.has(word.toLowerCase()) ? match : `${word ? `${word} ` : ''}"[redacted]"`));
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : undefined);

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
