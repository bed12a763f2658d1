/** One dependency the api needs before it may take traffic. */
export interface ReadinessCheck {
  /** Named in the 503 answer: `postgres`, `migrations`, `temporal`. */
  name: string;
  /** Resolves when healthy; rejects with the reason otherwise. */
  check(): Promise<void>;
}

/** Something `/readyz` shows without judging it (the outbox backlog): a failure to read it is shown too. */
export interface ReadinessDetail {
  name: string;
  read(): Promise<unknown>;
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  /** Names of the failing checks, in check order. */
  failing: string[];
  checks: Record<string, { ok: true } | { ok: false; error: string }>;
  /** Informational: never makes the api unready. */
  details?: Record<string, unknown>;
}

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs every check at once, each bounded by the timeout, and reports which ones fail. */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs = 3_000, details: readonly ReadinessDetail[] = []): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (dependency) => {
      const { name } = dependency;
      try {
        await withTimeout(dependency.check(), timeoutMs);
        return [name, { ok: true as const }] as const;
      } catch (error) {
        return [name, { ok: false as const, error: error instanceof Error ? error.message : String(error) }] as const;
      }
    }),
  );
  const failing = results.filter(([, r]) => !r.ok).map(([name]) => name);
  const report: ReadinessReport = { status: failing.length === 0 ? 'ok' : 'unavailable', failing, checks: Object.fromEntries(results) };
  if (details.length > 0) {
    const read = await Promise.all(
      details.map(async (detail) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          return [detail.name, await Promise.race([detail.read(), timeout])] as const;
        } catch (error) {
          return [detail.name, { error: error instanceof Error ? error.message : String(error) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    report.details = Object.fromEntries(read);
  }
  return report;
}
