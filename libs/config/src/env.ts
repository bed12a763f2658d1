import { z } from 'zod';

/** A TCP port from the environment, with a default. */
export const portVar = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a whole port number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

/** An optional variable where an empty string means "not set". */
export const optionalVar = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** `postgres://user@host:5432/database` (or postgresql://). */
export const postgresUrlVar = z
  .string()
  .regex(/^postgres(ql)?:\/\/[^/\s]+\/[^\s/]+$/, 'must be a URL like postgres://user@host:5432/database');

/** `host:port` of a Temporal frontend. */
export const hostPortVar = z.string().regex(/^[^:\s/]+:\d{1,5}$/, 'must be host:port, like 127.0.0.1:7233');

export const logLevelVar = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** A configuration problem, named by the variable at fault. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Shows a value in an error without its secrets: URL passwords hidden, long values cut. */
export function displayValue(raw: string): string {
  const withoutPassword = raw.replace(/(\/\/[^:/@\s]*):[^@/\s]*@/, '$1:***@');
  return withoutPassword.length > 80 ? `${withoutPassword.slice(0, 80)}…` : withoutPassword;
}

/**
 * Parses an environment with a zod object schema and fails with ONE readable line naming the first
 * bad variable (`API_PORT must be a port number (got "30x0")`), never a stack trace.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const variable = String(issue?.path[0] ?? 'environment');
  const raw = env[variable];
  const shown = raw === undefined ? ' (not set)' : ` (got "${displayValue(raw)}")`;
  throw new ConfigError(variable, `${issue?.message ?? 'is invalid'}${shown}`);
}

/** For `main` files: print the one-line problem and exit non-zero; rethrow anything else. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
