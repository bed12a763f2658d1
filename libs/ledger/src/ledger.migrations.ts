import { type Migration, type MigrationSource, sqlMigration } from '@referrals/sql';

/**
 * The ledger's tables. They follow the migration contract of `@referrals/sql` (a domain lib may not
 * import the infra lib that runs them), so an app passes `ledgerMigrations` to `migrateUp`.
 *
 * Each migration is one multi-statement SQL string: PostgreSQL runs such a string in one implicit
 * transaction, so a failing migration leaves nothing half-created. Invariants live in the schema
 * as well as in code, so that no code path (or hand-written SQL) can break them:
 * - statement-level triggers check that every ledger transaction balances (at least one debit
 *   and one credit, debits equal to credits) at the end of the statement that writes it;
 * - entries, transactions, audit rows, notices and issuance items are immutable (triggers);
 * - beneficiary balances carry CHECK floors on their running totals;
 * - a reward's identity is immutable and its status may only follow the transition table;
 * - at most one bonus-like item per issuance and one consumed reward per issuance (unique indexes);
 * - at most one adverse notice per payment acts (unique partial index).
 */
const UNIT_PATTERN = `'^([A-Z]{3}|[a-z][a-z0-9_]{0,31})$'`;

const createBooks: Migration = {
  name: '202611211000-create-ledger-books',
  async up({ sequelize }) {
    await sequelize.query(`
      -- Refuses any change to rows that are history (entries, transactions, audit rows, ...).
      CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable: record a new row (a correcting transaction) instead', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$;

      -- kind: beneficiary (owed to one user in one program) or a program's system accounts:
      -- program_liability (source of every grant), applied, expired, reversed (where amounts rest
      -- once consumed, expired, or canceled/reversed). Balances are derived from entries; the
      -- posted totals are stored only where a floor is enforced at write time (beneficiary
      -- accounts), because a stored total on a system account would be one hot row that every
      -- grant of a program queues on. verifyLedger checks every floor from the entries.
      CREATE TABLE ledger_accounts (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('beneficiary', 'program_liability', 'applied', 'expired', 'reversed')),
        program_key text NOT NULL,
        owner_id text NOT NULL DEFAULT '',
        unit text NOT NULL CHECK (unit ~ ${UNIT_PATTERN}),
        debits_must_not_exceed_credits boolean NOT NULL DEFAULT false,
        credits_must_not_exceed_debits boolean NOT NULL DEFAULT false,
        debits_posted_minor bigint,
        credits_posted_minor bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_identity UNIQUE (kind, program_key, owner_id, unit),
        CONSTRAINT ledger_accounts_owner CHECK ((kind = 'beneficiary') = (owner_id <> '')),
        CONSTRAINT ledger_accounts_totals_together CHECK ((debits_posted_minor IS NULL) = (credits_posted_minor IS NULL)),
        CONSTRAINT ledger_accounts_totals_non_negative CHECK (debits_posted_minor >= 0 AND credits_posted_minor >= 0),
        CONSTRAINT ledger_accounts_debits_must_not_exceed_credits
          CHECK (NOT debits_must_not_exceed_credits OR debits_posted_minor <= credits_posted_minor),
        CONSTRAINT ledger_accounts_credits_must_not_exceed_debits
          CHECK (NOT credits_must_not_exceed_debits OR credits_posted_minor <= debits_posted_minor)
      );

      -- An account is never deleted, and its identity, its flags and whether it tracks totals
      -- never change. The WHEN clause is evaluated without calling a function, so the frequent
      -- updates of the posted totals cost nothing here (verifyLedger recomputes the totals).
      CREATE FUNCTION ledger_accounts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger account %: it is never deleted and only its posted totals may change', OLD.id
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER ledger_accounts_identity_fixed BEFORE UPDATE ON ledger_accounts FOR EACH ROW
        WHEN (ROW(OLD.id, OLD.kind, OLD.program_key, OLD.owner_id, OLD.unit, OLD.debits_must_not_exceed_credits,
                  OLD.credits_must_not_exceed_debits, OLD.created_at, OLD.debits_posted_minor IS NULL, OLD.credits_posted_minor IS NULL)
              IS DISTINCT FROM
              ROW(NEW.id, NEW.kind, NEW.program_key, NEW.owner_id, NEW.unit, NEW.debits_must_not_exceed_credits,
                  NEW.credits_must_not_exceed_debits, NEW.created_at, NEW.debits_posted_minor IS NULL, NEW.credits_posted_minor IS NULL))
        EXECUTE FUNCTION ledger_accounts_refuse_change();
      CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_accounts_refuse_change();
      CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

      -- One immutable movement. idempotency_key is chosen by the caller (or derived from a reward
      -- and a step); content_hash is what a replay with the same key must match.
      CREATE TABLE ledger_transactions (
        id bigserial PRIMARY KEY,
        idempotency_key text NOT NULL CONSTRAINT ledger_transactions_idempotency_key UNIQUE,
        content_hash text NOT NULL,
        kind text NOT NULL,
        unit text NOT NULL CHECK (unit ~ ${UNIT_PATTERN}),
        reward_id bigint,
        reason text NOT NULL DEFAULT '',
        external_ids jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ledger_transactions_reward ON ledger_transactions (reward_id) WHERE reward_id IS NOT NULL;

      -- An entry is line \`line\` of its transaction (the natural key: no extra index or sequence).
      -- Its account must exist and have its unit, and its transaction must have its unit too: the
      -- balance triggers below check both. (Not a foreign key to the account: every grant would
      -- then FOR KEY SHARE-lock its program's liability account, one hot row turned into a stream of
      -- multixacts. Accounts are never deleted and never change unit, so a check at insert is as
      -- strong.)
      CREATE TABLE ledger_entries (
        transaction_id bigint NOT NULL CONSTRAINT ledger_entries_transaction REFERENCES ledger_transactions (id),
        line smallint NOT NULL CHECK (line >= 0),
        account_id bigint NOT NULL,
        unit text NOT NULL,
        side text NOT NULL CHECK (side IN ('debit', 'credit')),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        PRIMARY KEY (transaction_id, line)
      );
      CREATE INDEX ledger_entries_account ON ledger_entries (account_id);

      -- Double entry, enforced by the database: at the end of every statement that inserts
      -- transactions or entries, each transaction involved must have at least two entries and
      -- debits equal to credits. One statement-level trigger per table and statement (it reads the
      -- statement's new rows as a transition table), so a grant pays two checks, not one per row.
      -- Consequence: a transaction and its entries are written by ONE statement (the ledger's code
      -- always does; CTEs make it one statement), and entries added later to an old transaction
      -- are checked against all of its entries.
      CREATE FUNCTION ledger_assert_balanced(transaction_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        bad record;
      BEGIN
        SELECT t.id, t.unit, count(e.line) AS entry_count,
               coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'debit'), 0) AS debits,
               coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'credit'), 0) AS credits,
               coalesce(bool_or(e.unit <> t.unit), false) AS mixed_units
          INTO bad
          FROM ledger_transactions t
          LEFT JOIN ledger_entries e ON e.transaction_id = t.id
         WHERE t.id = ANY(transaction_ids)
         GROUP BY t.id, t.unit
        HAVING count(e.line) < 2
            OR coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'debit'), 0)
               <> coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'credit'), 0)
            OR bool_or(e.unit <> t.unit)
         LIMIT 1;
        IF NOT FOUND THEN
          RETURN;
        END IF;
        IF bad.mixed_units THEN
          RAISE EXCEPTION 'ledger transaction % (%) has entries in another unit', bad.id, bad.unit
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_one_unit';
        END IF;
        IF bad.entry_count < 2 THEN
          RAISE EXCEPTION 'ledger transaction % has % entries; it needs a debit and a credit', bad.id, bad.entry_count
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_has_two_entries';
        END IF;
        RAISE EXCEPTION 'ledger transaction % is unbalanced: debits % <> credits %', bad.id, bad.debits, bad.credits
          USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_debits_equal_credits';
      END $$;

      -- The triggers run one cheap EXISTS over the statement's transactions and compute the
      -- details only when something is wrong. PL/pgSQL plans these queries once per session; a
      -- session that starts while the tables are tiny would keep a sequential-scan plan while they
      -- grow, so the functions forbid sequential scans: their lookups are always index lookups.
      CREATE FUNCTION ledger_new_transactions_balanced() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
      BEGIN
        IF EXISTS (
          SELECT 1 FROM new_transactions t
           CROSS JOIN LATERAL (
             SELECT count(*) AS n, coalesce(sum(CASE e.side WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS net,
                    bool_or(e.unit <> t.unit) AS mixed
               FROM ledger_entries e WHERE e.transaction_id = t.id) s
           WHERE s.n < 2 OR s.net <> 0 OR s.mixed) THEN
          PERFORM ledger_assert_balanced(ARRAY(SELECT id FROM new_transactions));
        END IF;
        RETURN NULL;
      END $$;
      CREATE FUNCTION ledger_new_entries_balanced() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
      DECLARE
        bad record;
      BEGIN
        SELECT e.transaction_id, e.line, e.account_id, e.unit, a.unit AS account_unit INTO bad
          FROM new_entries e LEFT JOIN ledger_accounts a ON a.id = e.account_id
         WHERE a.id IS NULL OR a.unit <> e.unit
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger entry %/% names account %, which % (entry unit %)', bad.transaction_id, bad.line, bad.account_id,
            CASE WHEN bad.account_unit IS NULL THEN 'does not exist' ELSE 'is in ' || bad.account_unit END, bad.unit
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ledger_entries_account';
        END IF;
        IF EXISTS (
          SELECT 1 FROM (SELECT DISTINCT transaction_id FROM new_entries) n
           JOIN ledger_transactions t ON t.id = n.transaction_id
           CROSS JOIN LATERAL (
             SELECT count(*) AS n, coalesce(sum(CASE e.side WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS net,
                    bool_or(e.unit <> t.unit) AS mixed
               FROM ledger_entries e WHERE e.transaction_id = t.id) s
           WHERE s.n < 2 OR s.net <> 0 OR s.mixed) THEN
          PERFORM ledger_assert_balanced(ARRAY(SELECT DISTINCT transaction_id FROM new_entries));
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
        REFERENCING NEW TABLE AS new_transactions FOR EACH STATEMENT EXECUTE FUNCTION ledger_new_transactions_balanced();
      CREATE TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
        REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_new_entries_balanced();

      CREATE TRIGGER ledger_transactions_immutable BEFORE UPDATE OR DELETE ON ledger_transactions
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      DROP TABLE ledger_entries;
      DROP TABLE ledger_transactions;
      DROP TABLE ledger_accounts;
      DROP FUNCTION ledger_new_entries_balanced();
      DROP FUNCTION ledger_new_transactions_balanced();
      DROP FUNCTION ledger_assert_balanced(bigint[]);
      DROP FUNCTION ledger_accounts_refuse_change();
      DROP FUNCTION ledger_refuse_change();
    `);
  },
};

const REWARD_STATUSES = `'pending', 'earned', 'applied', 'reversed', 'expired', 'canceled', 'review_required', 'cap_limited', 'disqualified'`;
const BONUS_LIKE_KINDS = `'bonus', 'promo_first_month_50pct', 'referral_bonus'`;

const createRewards: Migration = {
  name: '202611211010-create-ledger-rewards',
  async up({ sequelize }) {
    await sequelize.query(`
      -- One row per (program, source conversion, role): a granted reward, or a decision that
      -- granted nothing (cap_limited, disqualified) kept so that a replay returns it.
      CREATE TABLE ledger_rewards (
        id bigserial PRIMARY KEY,
        program_key text NOT NULL,
        program_version integer NOT NULL CHECK (program_version >= 1),
        product text NOT NULL,
        source_conversion_id text NOT NULL,
        source_referral_id text NOT NULL,
        referrer_id text NOT NULL,
        referee_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('referrer', 'referee')),
        beneficiary_id text NOT NULL,
        status text NOT NULL CHECK (status IN (${REWARD_STATUSES})),
        kind text CHECK (kind IN ('fixed', 'percent', 'free_period', 'credits')),
        amount_minor bigint CHECK (amount_minor > 0),
        percent numeric(12, 6) CHECK (percent > 0),
        base_minor bigint CHECK (base_minor >= 0),
        unit text CHECK (unit ~ ${UNIT_PATTERN}),
        earned_at timestamptz NOT NULL,
        expires_at timestamptz,
        decision_reason text NOT NULL,
        referrer_cap integer CHECK (referrer_cap >= 0),
        content_hash text NOT NULL,
        consumed_by_issuance_id text,
        applied_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        -- Leading with the conversion lets adverse payments find a payment's rewards by this index.
        CONSTRAINT ledger_rewards_one_per_conversion_role UNIQUE (source_conversion_id, program_key, role),
        CONSTRAINT ledger_rewards_beneficiary_of_role
          CHECK (beneficiary_id = CASE role WHEN 'referrer' THEN referrer_id ELSE referee_id END),
        CONSTRAINT ledger_rewards_granted_have_amount
          CHECK (status IN ('cap_limited', 'disqualified') OR (kind IS NOT NULL AND amount_minor IS NOT NULL AND unit IS NOT NULL)),
        CONSTRAINT ledger_rewards_percent_fields
          CHECK ((kind IS NOT DISTINCT FROM 'percent') = (percent IS NOT NULL AND base_minor IS NOT NULL)),
        CONSTRAINT ledger_rewards_consumption
          CHECK ((status IN ('applied', 'review_required', 'reversed')) = (consumed_by_issuance_id IS NOT NULL AND applied_at IS NOT NULL)),
        CONSTRAINT ledger_rewards_expiry_after_earning CHECK (expires_at IS NULL OR expires_at > earned_at)
      );
      -- At most one reward per issuance, whatever the code does.
      CREATE UNIQUE INDEX ledger_rewards_one_per_issuance ON ledger_rewards (consumed_by_issuance_id)
        WHERE consumed_by_issuance_id IS NOT NULL;
      -- A beneficiary's rewards, and its application queue (pending, oldest first) as a prefix.
      CREATE INDEX ledger_rewards_beneficiary ON ledger_rewards (beneficiary_id, product, status, earned_at, id);
      -- The expiry scan touches pending rows with an expiry only.
      CREATE INDEX ledger_rewards_expiry ON ledger_rewards (expires_at, id) WHERE status = 'pending' AND expires_at IS NOT NULL;
      CREATE INDEX ledger_rewards_status ON ledger_rewards (status, id);

      ALTER TABLE ledger_transactions
        ADD CONSTRAINT ledger_transactions_reward FOREIGN KEY (reward_id) REFERENCES ledger_rewards (id);

      -- The transition table, frozen here; reward-states.spec.ts checks it equals rewardTransitions.
      CREATE FUNCTION ledger_reward_transition_allowed(from_status text, to_status text) RETURNS boolean
        LANGUAGE sql IMMUTABLE AS $$
          SELECT (from_status, to_status) IN (
            ('earned', 'pending'), ('earned', 'canceled'),
            ('pending', 'applied'), ('pending', 'expired'), ('pending', 'canceled'),
            ('applied', 'review_required'),
            ('review_required', 'applied'), ('review_required', 'reversed'))
        $$;

      CREATE FUNCTION ledger_rewards_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'ledger_rewards rows are never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF ROW(NEW.id, NEW.program_key, NEW.program_version, NEW.product, NEW.source_conversion_id, NEW.source_referral_id,
               NEW.referrer_id, NEW.referee_id, NEW.role, NEW.beneficiary_id, NEW.kind, NEW.amount_minor, NEW.percent,
               NEW.base_minor, NEW.unit, NEW.earned_at, NEW.expires_at, NEW.decision_reason, NEW.referrer_cap,
               NEW.content_hash, NEW.created_at)
           IS DISTINCT FROM
           ROW(OLD.id, OLD.program_key, OLD.program_version, OLD.product, OLD.source_conversion_id, OLD.source_referral_id,
               OLD.referrer_id, OLD.referee_id, OLD.role, OLD.beneficiary_id, OLD.kind, OLD.amount_minor, OLD.percent,
               OLD.base_minor, OLD.unit, OLD.earned_at, OLD.expires_at, OLD.decision_reason, OLD.referrer_cap,
               OLD.content_hash, OLD.created_at) THEN
          RAISE EXCEPTION 'reward %: only its status and consumption may change', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.consumed_by_issuance_id IS NOT NULL
           AND ROW(NEW.consumed_by_issuance_id, NEW.applied_at) IS DISTINCT FROM ROW(OLD.consumed_by_issuance_id, OLD.applied_at) THEN
          RAISE EXCEPTION 'reward %: what consumed it is permanent', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT ledger_reward_transition_allowed(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'reward %: % -> % is not in the transition table', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reward_transition_allowed';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ledger_rewards_guard BEFORE UPDATE OR DELETE ON ledger_rewards
        FOR EACH ROW EXECUTE FUNCTION ledger_rewards_guard();
      CREATE TRIGGER ledger_rewards_no_truncate BEFORE TRUNCATE ON ledger_rewards
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

      -- The audit trail: one row per creation and per transition, never changed.
      CREATE TABLE ledger_reward_events (
        id bigserial PRIMARY KEY,
        reward_id bigint NOT NULL REFERENCES ledger_rewards (id),
        from_status text CHECK (from_status IN (${REWARD_STATUSES})),
        to_status text NOT NULL CHECK (to_status IN (${REWARD_STATUSES})),
        operation text NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        external_ids jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ledger_reward_events_reward ON ledger_reward_events (reward_id, id);
      CREATE TRIGGER ledger_reward_events_immutable BEFORE UPDATE OR DELETE ON ledger_reward_events
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ledger_reward_events_no_truncate BEFORE TRUNCATE ON ledger_reward_events
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

      -- One row per conversion (= source payment) the ledger has heard of: its grants and its
      -- adverse notices lock this row first, so they happen one after the other; and the first
      -- acting adverse notice is recorded ON the row, where a grant waiting for the lock reads
      -- the latest version (a statement snapshot taken before the wait could not see it).
      CREATE TABLE ledger_conversions (
        conversion_id text PRIMARY KEY,
        adverse_notice_id text,
        adverse_kind text CHECK (adverse_kind IN ('refund', 'chargeback', 'fraud_mark', 'early_fraud_warning_refund')),
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_conversions_adverse_together CHECK ((adverse_notice_id IS NULL) = (adverse_kind IS NULL))
      );

      -- How many capped slots a referrer holds in a program (rewards in a capped state). Grants
      -- take a slot with one conditional upsert that locks this row; see grant-rewards.ts.
      CREATE TABLE ledger_referrer_caps (
        program_key text NOT NULL,
        referrer_id text NOT NULL,
        granted_count integer NOT NULL CHECK (granted_count >= 0),
        PRIMARY KEY (program_key, referrer_id)
      );

      -- Issuances rewards were applied to (or looked for): who, which product, created when.
      CREATE TABLE ledger_issuances (
        issuance_id text PRIMARY KEY,
        beneficiary_id text NOT NULL,
        product text NOT NULL,
        issued_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER ledger_issuances_immutable BEFORE UPDATE OR DELETE ON ledger_issuances
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

      -- Items on an issuance. The partial unique index IS the bonus slot: at most one bonus-like
      -- item per issuance, so two concurrent claims end with one row and one conflict.
      CREATE TABLE ledger_issuance_items (
        id bigserial PRIMARY KEY,
        issuance_id text NOT NULL,
        item_kind text NOT NULL CHECK (item_kind IN (${BONUS_LIKE_KINDS})),
        reward_id bigint REFERENCES ledger_rewards (id),
        claim_key text NOT NULL,
        content_hash text NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_issuance_items_claim_key UNIQUE (claim_key),
        CONSTRAINT ledger_issuance_items_reward_iff_referral_bonus CHECK ((item_kind = 'referral_bonus') = (reward_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX ledger_issuance_items_one_bonus_like ON ledger_issuance_items (issuance_id)
        WHERE item_kind IN (${BONUS_LIKE_KINDS});
      CREATE TRIGGER ledger_issuance_items_immutable BEFORE UPDATE OR DELETE ON ledger_issuance_items
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
      CREATE TRIGGER ledger_issuance_items_no_truncate BEFORE TRUNCATE ON ledger_issuance_items
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

      -- Adverse notices about payments. Only the first notice for a payment acts (the partial
      -- unique index makes that a database rule); later ones are recorded and change nothing.
      CREATE TABLE ledger_adverse_notices (
        notice_id text PRIMARY KEY,
        payment_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('refund', 'chargeback', 'fraud_mark', 'early_fraud_warning_refund')),
        occurred_at timestamptz NOT NULL,
        content_hash text NOT NULL,
        first_for_payment boolean NOT NULL,
        changes jsonb NOT NULL,
        actor text NOT NULL,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX ledger_adverse_notices_payment ON ledger_adverse_notices (payment_id);
      CREATE UNIQUE INDEX ledger_adverse_notices_first ON ledger_adverse_notices (payment_id) WHERE first_for_payment;
      CREATE TRIGGER ledger_adverse_notices_immutable BEFORE UPDATE OR DELETE ON ledger_adverse_notices
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      DROP TABLE ledger_adverse_notices;
      DROP TABLE ledger_issuance_items;
      DROP TABLE ledger_issuances;
      DROP TABLE ledger_referrer_caps;
      DROP TABLE ledger_conversions;
      DROP TABLE ledger_reward_events;
      ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_reward;
      DROP TABLE ledger_rewards;
      DROP FUNCTION ledger_rewards_guard();
      DROP FUNCTION ledger_reward_transition_allowed(text, text);
    `);
  },
};

/** The first-qualifying-event rule reads a referral's rewards (otherRewardedConversions). */
const indexRewardsByReferral = sqlMigration(
  '202612030010-index-ledger-rewards-by-referral',
  'CREATE INDEX ledger_rewards_referral ON ledger_rewards (source_referral_id, program_key);',
  'DROP INDEX ledger_rewards_referral;',
);

/**
 * What each issuance's bonus decision was, readable without Temporal: a row is `pending` from the
 * first billing event about the issuance (written in that event's transaction, with its facts),
 * `decided` once the issuance-bonus workflow recorded its decision and the reason in words. The
 * item itself stays in ledger_issuance_items (the slot): this row says why. A decided row is final.
 */
const createIssuanceOutcomes = sqlMigration(
  '202612031000-create-ledger-issuance-outcomes',
  `
  CREATE TABLE ledger_issuance_outcomes (
    issuance_id text PRIMARY KEY,
    subscriber_id text NOT NULL,
    product text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'decided')),
    facts jsonb,
    decision text CHECK (decision IN ('welcome_promo', 'referral_bonus', 'usage_bonus', 'none')),
    reason text,
    usage_threshold_crossed_at timestamptz,
    decided_by text,
    received_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    CONSTRAINT ledger_issuance_outcomes_decided_complete CHECK (
      (status = 'decided') = (decision IS NOT NULL AND reason IS NOT NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL))
  );
  CREATE FUNCTION ledger_issuance_outcome_final() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.status = 'decided' THEN
      RAISE EXCEPTION 'issuance % was decided: its outcome is final', OLD.issuance_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ledger_issuance_outcomes_final BEFORE UPDATE ON ledger_issuance_outcomes
    FOR EACH ROW EXECUTE FUNCTION ledger_issuance_outcome_final();
  `,
  'DROP TABLE ledger_issuance_outcomes; DROP FUNCTION ledger_issuance_outcome_final();',
);

/**
 * Kilo rule 118: a reward names the tier of its source conversion (the price it was computed from).
 * Set at the grant, never changed afterwards (the rewards guard predates the column, hence its own trigger).
 */
const addRewardSourceTier = sqlMigration(
  '202612031220-add-ledger-rewards-source-tier',
  `
  ALTER TABLE ledger_rewards ADD COLUMN source_tier text CHECK (length(source_tier) BETWEEN 1 AND 64);
  CREATE FUNCTION ledger_rewards_source_tier_guard() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.source_tier IS DISTINCT FROM OLD.source_tier THEN
      RAISE EXCEPTION 'reward %: its source tier never changes', OLD.id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ledger_rewards_source_tier_guard BEFORE UPDATE ON ledger_rewards
    FOR EACH ROW EXECUTE FUNCTION ledger_rewards_source_tier_guard();
  `,
  `
  DROP TRIGGER ledger_rewards_source_tier_guard ON ledger_rewards;
  DROP FUNCTION ledger_rewards_source_tier_guard();
  ALTER TABLE ledger_rewards DROP COLUMN source_tier;
  `,
);

/** Results of the scheduled verifyLedger runs: the latest one shows in ops and in /metrics. */
const createLedgerVerifications = sqlMigration(
  '202612030700-create-ledger-verifications',
  `
  CREATE TABLE ledger_verifications (
    id bigserial PRIMARY KEY,
    checked_at timestamptz NOT NULL,
    violation_count integer NOT NULL CHECK (violation_count >= 0),
    violations jsonb NOT NULL CHECK (jsonb_typeof(violations) = 'array')
  );
  `,
  'DROP TABLE ledger_verifications;',
);

/**
 * Issue 15: a user's erasure keeps every amount and entry but replaces the user's id by a stable
 * pseudonym (`erased:<hmac>`) in accounts, rewards, caps, issuances and free-text history. The
 * history guards let an UPDATE through only inside a transaction that set `referrals.erasure`
 * (`allowErasureInTransaction`); DELETE and TRUNCATE stay refused, always.
 */
const allowErasure: Migration = {
  name: '202612031710-ledger-allow-user-erasure',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('referrals.erasure', true) = 'on' THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% rows are immutable: record a new row (a correcting transaction) instead', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE OR REPLACE FUNCTION ledger_accounts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('referrals.erasure', true) = 'on' THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'ledger account %: it is never deleted and only its posted totals may change', OLD.id
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE OR REPLACE FUNCTION ledger_issuance_outcome_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'decided' AND current_setting('referrals.erasure', true) IS DISTINCT FROM 'on' THEN
          RAISE EXCEPTION 'issuance % was decided: its outcome is final', OLD.issuance_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE OR REPLACE FUNCTION ledger_rewards_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'ledger_rewards rows are never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF current_setting('referrals.erasure', true) = 'on' THEN
          RETURN NEW;
        END IF;
        IF ROW(NEW.id, NEW.program_key, NEW.program_version, NEW.product, NEW.source_conversion_id, NEW.source_referral_id,
               NEW.referrer_id, NEW.referee_id, NEW.role, NEW.beneficiary_id, NEW.kind, NEW.amount_minor, NEW.percent,
               NEW.base_minor, NEW.unit, NEW.earned_at, NEW.expires_at, NEW.decision_reason, NEW.referrer_cap,
               NEW.content_hash, NEW.created_at)
           IS DISTINCT FROM
           ROW(OLD.id, OLD.program_key, OLD.program_version, OLD.product, OLD.source_conversion_id, OLD.source_referral_id,
               OLD.referrer_id, OLD.referee_id, OLD.role, OLD.beneficiary_id, OLD.kind, OLD.amount_minor, OLD.percent,
               OLD.base_minor, OLD.unit, OLD.earned_at, OLD.expires_at, OLD.decision_reason, OLD.referrer_cap,
               OLD.content_hash, OLD.created_at) THEN
          RAISE EXCEPTION 'reward %: only its status and consumption may change', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.consumed_by_issuance_id IS NOT NULL
           AND ROW(NEW.consumed_by_issuance_id, NEW.applied_at) IS DISTINCT FROM ROW(OLD.consumed_by_issuance_id, OLD.applied_at) THEN
          RAISE EXCEPTION 'reward %: what consumed it is permanent', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT ledger_reward_transition_allowed(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'reward %: % -> % is not in the transition table', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reward_transition_allowed';
        END IF;
        RETURN NEW;
      END $$;
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable: record a new row (a correcting transaction) instead', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE OR REPLACE FUNCTION ledger_accounts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger account %: it is never deleted and only its posted totals may change', OLD.id
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE OR REPLACE FUNCTION ledger_issuance_outcome_final() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status = 'decided' THEN
          RAISE EXCEPTION 'issuance % was decided: its outcome is final', OLD.issuance_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE OR REPLACE FUNCTION ledger_rewards_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'ledger_rewards rows are never deleted' USING ERRCODE = 'restrict_violation';
        END IF;
        IF ROW(NEW.id, NEW.program_key, NEW.program_version, NEW.product, NEW.source_conversion_id, NEW.source_referral_id,
               NEW.referrer_id, NEW.referee_id, NEW.role, NEW.beneficiary_id, NEW.kind, NEW.amount_minor, NEW.percent,
               NEW.base_minor, NEW.unit, NEW.earned_at, NEW.expires_at, NEW.decision_reason, NEW.referrer_cap,
               NEW.content_hash, NEW.created_at)
           IS DISTINCT FROM
           ROW(OLD.id, OLD.program_key, OLD.program_version, OLD.product, OLD.source_conversion_id, OLD.source_referral_id,
               OLD.referrer_id, OLD.referee_id, OLD.role, OLD.beneficiary_id, OLD.kind, OLD.amount_minor, OLD.percent,
               OLD.base_minor, OLD.unit, OLD.earned_at, OLD.expires_at, OLD.decision_reason, OLD.referrer_cap,
               OLD.content_hash, OLD.created_at) THEN
          RAISE EXCEPTION 'reward %: only its status and consumption may change', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF OLD.consumed_by_issuance_id IS NOT NULL
           AND ROW(NEW.consumed_by_issuance_id, NEW.applied_at) IS DISTINCT FROM ROW(OLD.consumed_by_issuance_id, OLD.applied_at) THEN
          RAISE EXCEPTION 'reward %: what consumed it is permanent', OLD.id USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.status IS DISTINCT FROM OLD.status AND NOT ledger_reward_transition_allowed(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'reward %: % -> % is not in the transition table', OLD.id, OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_reward_transition_allowed';
        END IF;
        RETURN NEW;
      END $$;
    `);
  },
};

/** Pass to `migrateUp(sequelize, [..., ledgerMigrations])` (from `@referrals/db`). */
export const ledgerMigrations: MigrationSource = {
  owner: 'ledger',
  migrations: [createBooks, createRewards, indexRewardsByReferral, createLedgerVerifications, createIssuanceOutcomes, addRewardSourceTier, allowErasure],
};
