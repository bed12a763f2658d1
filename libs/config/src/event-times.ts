/**
 * Instants the host sends (`paidAt`, `signedUpAt`, `occurredAt`, issuance dates...) are facts about
 * the past: one far in the future is a bug or a forged clock on the host's side, one before 2000 a
 * unit or parsing slip (seconds read as milliseconds, a zero date). Either would silently move
 * attribution windows, welcome months and expiries, so the engine refuses them before writing
 * anything. A small skew covers clocks that drift between the host and this server.
 */

/** Nothing the engine decides happened before this instant. */
export const EARLIEST_EVENT_TIME = new Date('2000-01-01T00:00:00Z');
const EARLIEST_MS = EARLIEST_EVENT_TIME.getTime();

/** How far past the server's clock a host-sent instant may be (clock drift), by default: 5 minutes. */
export const DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** The codes of a refused instant (the error code of the refusal and the code of its issue). */
export const EVENT_TIME_ISSUE_CODES = ['time_in_future', 'time_too_old'] as const;
export type EventTimeIssueCode = (typeof EVENT_TIME_ISSUE_CODES)[number];

export interface EventTimeIssue {
  readonly code: EventTimeIssueCode;
  /** Where the instant is in the input (`paidAt`, `subscription.startedAt`). */
  readonly path: string;
  readonly message: string;
}

export interface EventTimePolicy {
  /** The server's clock. */
  readonly now: Date;
  /** Default {@link DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS}. */
  readonly maxFutureSkewMs?: number | undefined;
}

/** A host-sent instant to check; `past: false` for one that may lie ahead (the end of a period). */
export interface EventTimeField {
  readonly path: string;
  readonly value: string | Date | null | undefined;
  readonly past?: boolean;
}

/**
 * Every refused instant among `fields`, in their order: before {@link EARLIEST_EVENT_TIME}
 * (`time_too_old`), or, for instants of the past, more than the skew after `now`
 * (`time_in_future`). Absent and unparseable values are not this check's business (the schema's).
 */
export function eventTimeIssues(fields: readonly EventTimeField[], policy: EventTimePolicy): EventTimeIssue[] {
  const skewMs = policy.maxFutureSkewMs ?? DEFAULT_EVENT_TIME_MAX_FUTURE_SKEW_MS;
  const latestMs = policy.now.getTime() + skewMs;
  const issues: EventTimeIssue[] = [];
  for (const field of fields) {
    if (field.value === null || field.value === undefined) continue;
    const ms = field.value instanceof Date ? field.value.getTime() : Date.parse(field.value);
    if (Number.isNaN(ms)) continue;
    if (ms < EARLIEST_MS) {
      issues.push({ code: 'time_too_old', path: field.path, message: `must not be before ${EARLIEST_EVENT_TIME.toISOString()}` });
    } else if (field.past !== false && ms > latestMs) {
      issues.push({
        code: 'time_in_future',
        path: field.path,
        message: `must not be in the future (at most ${Math.round(skewMs / 1000)} s after the server's clock, ${policy.now.toISOString()})`,
      });
    }
  }
  return issues;
}

