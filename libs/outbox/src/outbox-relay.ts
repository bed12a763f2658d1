import { queryRows } from '@referrals/sql';
import { type WorkflowClient, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type Sequelize } from 'sequelize';
import { OUTBOX_COLUMNS, type OutboxMessage, type OutboxRow, type RelayOutcome, toOutboxMessage } from './outbox-messages';

/** What the relay needs of Temporal: the workflow part of a `Client` (`client.workflow`). */
export type WorkflowStarterClient = Pick<WorkflowClient, 'start' | 'signalWithStart' | 'withDeadline'>;

export interface OutboxRelayOptions {
  readonly sequelize: Sequelize;
  readonly workflows: WorkflowStarterClient;
  /** How long one start may take before it counts as failed (Temporal away): 5 s. */
  readonly callTimeoutMs?: number;
  /** Rows claimed per transaction: 50. */
  readonly batchSize?: number;
  /** The pause between passes when nothing was due: 250 ms (one indexed query on due rows). */
  readonly pollIntervalMs?: number;
  /** Backoff of a row after a failed relay (and of the loop after a failed pass): doubling from `retryInitialMs` (500 ms) to `retryMaxMs` (30 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly log?: (level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string) => void;
}

export interface OutboxRelay {
  /** Starts the polling loop. */
  start(): Promise<void>;
  /** Stops the loop; waits for the batch in flight. */
  stop(): Promise<void>;
  /** One pass: claims due rows (SKIP LOCKED), relays them, returns how many were relayed. */
  relayOnce(): Promise<{ relayed: number; failed: number }>;
}

/**
 * Moves outbox rows to Temporal. Each pass claims due rows with `FOR UPDATE SKIP LOCKED`, so any
 * number of relays (one per worker process) share the table without taking a row twice; a row is
 * marked relayed in the same transaction that claimed it. A crash between the Temporal call and the
 * commit relays the row again: harmless, because every start is by a business-derived workflow id
 * (a running or closed workflow is not started twice) and signals are deduplicated by the workflows.
 * While Temporal is away a row keeps failing with a growing pause (its attempts and last error are
 * what ops shows), and the api keeps answering: it only ever wrote the row.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { sequelize, workflows } = options;
  const callTimeoutMs = options.callTimeoutMs ?? 5_000;
  const batchSize = options.batchSize ?? 50;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const retryInitialMs = options.retryInitialMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const log = options.log ?? (() => undefined);

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let loopBackoffMs = 0;

  const backoffOf = (attempts: number) => Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempts - 1, 20));

  async function call(message: OutboxMessage): Promise<RelayOutcome> {
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${callTimeoutMs} ms`)), callTimeoutMs);
      timer.unref();
    });
    try {
      // The deadline cancels the gRPC call (and the SDK's own retries of it); the race is a backstop.
      const deadline = Date.now() + callTimeoutMs;
      const request =
        message.kind === 'start'
          ? workflows.withDeadline(deadline, () => workflows.start(message.workflowType, message.options as never))
          : workflows.withDeadline(deadline, () => workflows.signalWithStart(message.workflowType, message.options as never));
      // If the backstop wins, the call's own late failure must not surface as an unhandled rejection.
      request.catch(() => undefined);
      await Promise.race([request, timeout]);
      return message.kind === 'start' ? 'started' : 'signaled';
    } catch (error) {
      // Closed already (REJECT_DUPLICATE): the work was done by an earlier run. Done here too.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already_finished';
      throw error;
    }
  }

  async function relayOnce(): Promise<{ relayed: number; failed: number }> {
    let relayed = 0;
    let failed = 0;
    await sequelize.transaction(async (t) => {
      const rows = await queryRows<OutboxRow>(
        sequelize,
        t,
        `SELECT ${OUTBOX_COLUMNS} FROM outbox_messages
          WHERE relayed_at IS NULL AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      for (const row of rows) {
        const message = toOutboxMessage(row);
        try {
          const outcome = await call(message);
          await queryRows(sequelize, t, `UPDATE outbox_messages SET relayed_at = now(), outcome = $2, attempts = attempts + 1 WHERE id = $1 RETURNING id`, [
            message.id,
            outcome,
          ]);
          relayed += 1;
        } catch (error) {
          failed += 1;
          const reason = describe(error);
          // The pause counts from the failure (clock_timestamp), not from the start of this
          // transaction (now()): the failed call may have waited its whole timeout in between.
          await queryRows(
            sequelize,
            t,
            `UPDATE outbox_messages SET attempts = attempts + 1, last_error = $2,
                    next_attempt_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
              WHERE id = $1 RETURNING id`,
            [message.id, reason.slice(0, 2000), backoffOf(message.attempts + 1)],
          );
          log('warn', { workflowType: message.workflowType, workflowId: message.workflowId, attempts: message.attempts + 1, error: reason }, 'outbox relay: Temporal refused or is away; will retry');
          // Temporal is likely away: leave the rest of the batch for the next pass instead of timing each out.
          break;
        }
      }
    });
    return { relayed, failed };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let pause = pollIntervalMs;
      try {
        const { relayed } = await relayOnce();
        loopBackoffMs = 0;
        // A full batch: more may be due right now. (A failed row waits out its own backoff.)
        if (relayed >= batchSize) continue;
      } catch (error) {
        // The database is away: try again later, never crash the worker for it.
        loopBackoffMs = loopBackoffMs === 0 ? retryInitialMs : Math.min(retryMaxMs, loopBackoffMs * 2);
        pause = loopBackoffMs;
        log('warn', { error: describe(error) }, 'outbox relay: pass failed; retrying');
      }
      if (running) await sleep(pause);
    }
  }

  return {
    async start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      loop = undefined;
    },
    relayOnce,
  };
}

function describe(error: unknown): string {
  const messages = [error, (error as { cause?: unknown } | null)?.cause].filter((e): e is Error => e instanceof Error).map((e) => e.message);
  return messages.join(': ') || String(error);
}
