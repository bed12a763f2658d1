import { sqlMigration, type MigrationSource } from '@referrals/sql';
import { attemptOutcomes, deliveryKinds, deliveryStatuses, terminalDeliveryStatuses } from './delivery-states';

/**
 * The tables of impact-sync, declared against the shared migration contract of `@referrals/sql`
 * (a domain lib may not import `@referrals/db`, which runs them): an app passes
 * `impactSyncMigrations` to `migrateUp` next to the other libs' sources.
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

// One multi-statement script each way: PostgreSQL runs it in one implicit transaction.
const createDeliveries = sqlMigration(
  '202611211510-create-impact-sync-deliveries',
  `
      -- One row per piece of Impact work: (kind, business id) is the work, delivery_key the
      -- idempotency key sent towards Impact. Status, attempts, last error and next attempt time
      -- are what operators read while the worker retries.
      CREATE TABLE impact_sync_deliveries (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN (${list(deliveryKinds)})),
        business_id text NOT NULL CHECK (length(business_id) BETWEEN 1 AND 400),
        delivery_key text NOT NULL CHECK (length(delivery_key) BETWEEN 1 AND 600),
        product text NOT NULL,
        program_key text,
        user_id text,
        workflow_id text,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN (${list(deliveryStatuses)})),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error_code text,
        last_error_message text,
        last_error_http_status integer,
        last_request_id text,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        chosen_impact_reward_id text,
        chosen_at timestamptz,
        impact_action_id text,
        impact_order_id text,
        queued_uri text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT impact_sync_deliveries_work UNIQUE (kind, business_id),
        CONSTRAINT impact_sync_deliveries_delivery_key UNIQUE (delivery_key),
        CONSTRAINT impact_sync_deliveries_completed_when_terminal
          CHECK ((completed_at IS NOT NULL) = (status IN (${list(terminalDeliveryStatuses)}))),
        CONSTRAINT impact_sync_deliveries_next_attempt_when_retrying
          CHECK (status = 'retrying' OR next_attempt_at IS NULL),
        CONSTRAINT impact_sync_deliveries_chosen_for_redemptions
          CHECK (chosen_impact_reward_id IS NULL OR kind = 'reward_redemption')
      );
      -- One Impact reward is redeemed for at most one local reward.
      CREATE UNIQUE INDEX impact_sync_deliveries_chosen_reward
        ON impact_sync_deliveries (product, chosen_impact_reward_id) WHERE chosen_impact_reward_id IS NOT NULL;
      -- Ops: counts and lists by status and kind; the worker: other rewards' chosen ids per user.
      CREATE INDEX impact_sync_deliveries_status ON impact_sync_deliveries (status, kind, id);
      CREATE INDEX impact_sync_deliveries_kind ON impact_sync_deliveries (kind, id);
      CREATE INDEX impact_sync_deliveries_user ON impact_sync_deliveries (user_id, kind) WHERE user_id IS NOT NULL;

      -- Every attempt, as the worker recorded it (append-only). A replay of the same record
      -- (same delivery, attempt number, outcome and code) is not stored twice.
      CREATE TABLE impact_sync_attempts (
        id bigserial PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES impact_sync_deliveries (id) ON DELETE CASCADE,
        attempt integer NOT NULL CHECK (attempt >= 1),
        outcome text NOT NULL CHECK (outcome IN (${list(attemptOutcomes)})),
        error_code text,
        error_message text,
        http_status integer,
        request_id text,
        next_attempt_at timestamptz,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX impact_sync_attempts_replay
        ON impact_sync_attempts (delivery_id, attempt, outcome, coalesce(error_code, ''));

      -- What Impact Advocate answered when a participant was registered: its ids and the
      -- program-scoped referral code (referralCodes[programId]).
      CREATE TABLE impact_sync_participants (
        program_key text NOT NULL,
        user_id text NOT NULL,
        product text NOT NULL,
        participant_id text NOT NULL,
        account_id text NOT NULL,
        referral_code text,
        referred_by_code text,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (program_key, user_id)
      );
    `,
  `
      DROP TABLE IF EXISTS impact_sync_participants;
      DROP TABLE IF EXISTS impact_sync_attempts;
      DROP TABLE IF EXISTS impact_sync_deliveries;
    `,
);

/**
 * When an operator last requeued a delivery: a delivery's age (its maximum age before it ends
 * `failed`) counts from here, not from its creation, so a requeued delivery gets a full new life.
 */
const deliveriesRequeuedAt = sqlMigration(
  '202612030600-impact-sync-deliveries-requeued-at',
  `ALTER TABLE impact_sync_deliveries ADD COLUMN requeued_at timestamptz;`,
  `ALTER TABLE impact_sync_deliveries DROP COLUMN IF EXISTS requeued_at;`,
);

// What a queued participant registration sends to Advocate (email, names, the `_saasquatch`
// value): the workflow input names only the program and the user (participant-requests.ts).
const createParticipantRequests = sqlMigration(
  '202612031110-create-impact-sync-participant-requests',
  `
      CREATE TABLE impact_sync_participant_requests (
        program_key text NOT NULL,
        user_id text NOT NULL,
        product text NOT NULL,
        details jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
        requested_at timestamptz NOT NULL,
        PRIMARY KEY (program_key, user_id)
      );
    `,
  `
      DROP TABLE IF EXISTS impact_sync_participant_requests;
    `,
);

// The personal part of a SALE report (the customer's email, the affiliate's `im_ref` click id): the `reportConversion` input carries
// ids only and the report activity reads this row (sale-requests.ts).
const createSaleRequests = sqlMigration(
  '202612031500-create-impact-sync-sale-requests',
  `
      CREATE TABLE impact_sync_sale_requests (
        provider text NOT NULL,
        source_payment_id text NOT NULL,
        product text NOT NULL,
        user_id text NOT NULL,
        customer_email text,
        click_id text,
        requested_at timestamptz NOT NULL,
        PRIMARY KEY (provider, source_payment_id)
      );
      CREATE INDEX impact_sync_sale_requests_user ON impact_sync_sale_requests (user_id);
    `,
  `
      DROP TABLE IF EXISTS impact_sync_sale_requests;
    `,
);

/** Pass to `migrateUp(sequelize, [dbMigrations, ledgerMigrations, impactSyncMigrations])`. */
export const impactSyncMigrations: MigrationSource = {
  owner: 'impact-sync',
  migrations: [createDeliveries, deliveriesRequeuedAt, createParticipantRequests, createSaleRequests],
};
