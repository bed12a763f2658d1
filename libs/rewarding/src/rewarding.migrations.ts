import { type MigrationSource, sqlMigration } from '@referrals/sql';

/**
 * Decision records (issue 18): what the rules saw and decided for each qualifying event, written
 * by recordQualifyingEvent in the event's transaction (one INSERT), read by `readConversion` and
 * re-decided by `previewProgramChange`.
 *
 * Personal data lives in named columns only, so that erasure has a short list to anonymize:
 * `referrer_user_id` and `referee_user_id` (the engine's id facts `referrer.user_id`,
 * `advocate.user_id`, `referee.user_id`, `invitee.user_id` are kept OUT of `facts` and out of the
 * explanation's actual values, and put back from these columns on read). `facts` holds the host's
 * declared facts as sent (a host that declares personal facts must have them erased there too).
 * Not immutable on purpose: erasure rewrites those columns.
 */
const createDecisionRecords = sqlMigration(
  '202612031800-create-rewarding-decision-records',
  `
  CREATE TABLE rewarding_decision_records (
    conversion_id text PRIMARY KEY CHECK (length(conversion_id) BETWEEN 3 AND 300),
    event_type text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
    occurred_at timestamptz NOT NULL,
    program_key text CHECK (length(program_key) BETWEEN 1 AND 100),
    program_version integer CHECK (program_version >= 1),
    referral_id bigint,
    referrer_user_id text,
    referee_user_id text,
    decision_code text NOT NULL CHECK (length(decision_code) BETWEEN 1 AND 64),
    rule_index integer CHECK (rule_index >= 0),
    facts jsonb,
    explanation jsonb,
    notes text[] NOT NULL,
    rewards jsonb NOT NULL,
    recorded_at timestamptz NOT NULL
  );
  CREATE INDEX rewarding_decision_records_program_time ON rewarding_decision_records (program_key, occurred_at, conversion_id)
    WHERE program_key IS NOT NULL;
  `,
  'DROP TABLE rewarding_decision_records;',
);

export const rewardingMigrations: MigrationSource = {
  owner: 'rewarding',
  migrations: [createDecisionRecords],
};
