/** SQLSTATE and constraint name of a Sequelize or node-postgres error, when it carries them. */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string } {
  const e = error as { parent?: { code?: unknown; constraint?: unknown }; original?: { code?: unknown; constraint?: unknown } } | undefined;
  const source = e?.parent ?? e?.original ?? (error as { code?: unknown; constraint?: unknown } | undefined);
  return {
    ...(typeof source?.code === 'string' ? { code: source.code } : {}),
    ...(typeof source?.constraint === 'string' ? { constraint: source.constraint } : {}),
  };
}

/** The SQLSTATE alone (`23505` unique violation, `40001` serialization failure, …). */
export function sqlStateOf(error: unknown): string | undefined {
  return pgErrorOf(error).code;
}

/** SQLSTATEs after which the whole transaction may simply be run again. */
export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);
