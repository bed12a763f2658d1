import { sqlMigration, type MigrationSource } from '@referrals/sql';

/**
 * The outbox table. A row is one piece of Temporal work (a workflow start or a signalWithStart)
 * written in the same transaction as the business change it follows; a relay moves it to Temporal
 * afterwards. `dedupe_key` makes writing the same work twice a no-op (a replayed event, two api
 * processes), `relayed_at` marks it done, `next_attempt_at` spaces the retries while Temporal is away.
 */
const createOutbox = sqlMigration(
  '202612030000-create-outbox-messages',
  `
    CREATE TABLE outbox_messages (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('start', 'signal_with_start')),
      workflow_type text NOT NULL CHECK (length(workflow_type) BETWEEN 1 AND 200),
      workflow_id text NOT NULL CHECK (length(workflow_id) BETWEEN 1 AND 1000),
      options jsonb NOT NULL,
      dedupe_key text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      relayed_at timestamptz,
      outcome text CHECK (outcome IN ('started', 'signaled', 'already_finished')),
      CONSTRAINT outbox_messages_dedupe_key UNIQUE (dedupe_key),
      CONSTRAINT outbox_messages_outcome_when_relayed CHECK ((relayed_at IS NULL) = (outcome IS NULL))
    );
    -- The relays' queue: only rows still to relay, in the order they are due.
    CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at, id) WHERE relayed_at IS NULL;
    CREATE INDEX outbox_messages_workflow ON outbox_messages (workflow_id);
  `,
  `DROP TABLE outbox_messages;`,
);

/**
 * Runs of scheduled jobs an operator asked for now: the row is written with the run's workflow start
 * (an outbox row), and the workflow writes its result into it when it ends.
 */
const createScheduleRuns = sqlMigration(
  '202612031310-create-schedule-runs',
  `
    CREATE TABLE schedule_runs (
      id uuid PRIMARY KEY,
      schedule text NOT NULL CHECK (length(schedule) BETWEEN 1 AND 100),
      workflow_id text NOT NULL UNIQUE,
      requested_by text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
      requested_at timestamptz NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'succeeded')),
      result jsonb,
      finished_at timestamptz,
      CONSTRAINT schedule_runs_result_when_finished CHECK ((status = 'succeeded') = (finished_at IS NOT NULL AND result IS NOT NULL))
    );
  `,
  `DROP TABLE schedule_runs;`,
);

/** Pass to `migrateUp(sequelize, [..., outboxMigrations])` (from `@referrals/db`). */
export const outboxMigrations: MigrationSource = { owner: 'outbox', migrations: [createOutbox, createScheduleRuns] };
