import { type Migration, type MigrationSource, sqlMigration } from '@referrals/sql';

/**
 * The attribution tables. They follow the migration contract of `@referrals/sql` (a domain lib may not
 * import the infra lib that runs them), so an app passes `attributionMigrations` to
 * `migrateUp`, AFTER or together with `programsMigrations` (referrals and referral codes point at
 * programs and their versions).
 *
 * Each migration is one multi-statement SQL string, which PostgreSQL runs in one implicit
 * transaction. Invariants that races could break live in the schema:
 * - a touch replayed within the same minute is one row (unique dedupe key + minute);
 * - a touch's captured facts never change; only its owner (once, from anonymous to a user) and
 *   its sale attribution (once set, never cleared) may;
 * - one referral per (product, referee), and a referral (with its pinned program version) never
 *   changes;
 * - one conversion per (provider, source payment id), never changed.
 */
const TOUCH_STATUSES = `'accepted', 'value_too_long', 'value_missing', 'product_unknown', 'program_unknown'`;

const createTouches: Migration = {
  name: '202611211210-create-attribution-touches',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE FUNCTION attribution_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END $$;

      -- One visit through a referral or affiliate link. Tracking values are stored as sent, cut
      -- at 512 characters (truncated.<field> then holds the original length and status says why
      -- the touch is not accepted). Only accepted touches take part in referrals and attribution.
      CREATE TABLE attribution_touches (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('referral', 'affiliate')),
        anonymous_id text CHECK (length(anonymous_id) BETWEEN 1 AND 200),
        user_id text CHECK (length(user_id) BETWEEN 1 AND 200),
        product text NOT NULL CHECK (length(product) BETWEEN 1 AND 64),
        program_key text CHECK (length(program_key) BETWEEN 1 AND 100),
        saasquatch_cookie text CHECK (length(saasquatch_cookie) BETWEEN 1 AND 512),
        referral_code text CHECK (length(referral_code) BETWEEN 1 AND 512),
        click_id text CHECK (length(click_id) BETWEEN 1 AND 512),
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
        landing_path text CHECK (length(landing_path) <= 2048),
        status text NOT NULL CHECK (status IN (${TOUCH_STATUSES})),
        truncated jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(truncated) = 'object'),
        touched_at timestamptz NOT NULL,
        touched_minute timestamptz NOT NULL,
        dedupe_key text NOT NULL CHECK (dedupe_key ~ '^[0-9a-f]{64}$'),
        associated_at timestamptz,
        sale_attributed_at timestamptz,
        sale_attributed_conversion_id bigint,
        CONSTRAINT attribution_touches_owner CHECK (anonymous_id IS NOT NULL OR user_id IS NOT NULL),
        CONSTRAINT attribution_touches_kind_values CHECK (
          (kind = 'referral' AND click_id IS NULL) OR (kind = 'affiliate' AND saasquatch_cookie IS NULL AND referral_code IS NULL)),
        CONSTRAINT attribution_touches_minute CHECK (touched_minute <= touched_at AND touched_at < touched_minute + interval '1 minute'),
        CONSTRAINT attribution_touches_sale_affiliate_only CHECK (
          sale_attributed_at IS NULL OR (kind = 'affiliate' AND status = 'accepted' AND sale_attributed_conversion_id IS NOT NULL)),
        CONSTRAINT attribution_touches_once_per_minute UNIQUE (dedupe_key, touched_minute)
      );
      CREATE INDEX attribution_touches_user ON attribution_touches (user_id, product, touched_at) WHERE user_id IS NOT NULL;
      CREATE INDEX attribution_touches_anonymous ON attribution_touches (anonymous_id) WHERE anonymous_id IS NOT NULL AND user_id IS NULL;

      CREATE FUNCTION attribution_touches_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ROW(NEW.id, NEW.kind, NEW.anonymous_id, NEW.product, NEW.program_key, NEW.saasquatch_cookie, NEW.referral_code,
               NEW.click_id, NEW.metadata, NEW.landing_path, NEW.status, NEW.truncated, NEW.touched_at, NEW.touched_minute,
               NEW.dedupe_key)
           IS DISTINCT FROM ROW(OLD.id, OLD.kind, OLD.anonymous_id, OLD.product, OLD.program_key, OLD.saasquatch_cookie,
               OLD.referral_code, OLD.click_id, OLD.metadata, OLD.landing_path, OLD.status, OLD.truncated, OLD.touched_at,
               OLD.touched_minute, OLD.dedupe_key)
           OR (OLD.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
           OR (OLD.sale_attributed_at IS NOT NULL AND NEW.sale_attributed_at IS NULL) THEN
          RAISE EXCEPTION 'touch %: captured facts never change; the owner is set once and a sale attribution is never cleared', OLD.id
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER attribution_touches_guard BEFORE UPDATE ON attribution_touches
        FOR EACH ROW EXECUTE FUNCTION attribution_touches_guard();
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      DROP TABLE attribution_touches;
      DROP FUNCTION attribution_touches_guard();
      DROP FUNCTION attribution_refuse_change();
    `);
  },
};

const REFERRAL_REASONS = `'self_referral', 'existing_account', 'deleted_account', 'referrer_unknown', 'referrer_ambiguous', 'referrer_blocked', 'no_program_matched'`;

const createReferrals: Migration = {
  name: '202611211220-create-attribution-referrals',
  async up({ sequelize }) {
    await sequelize.query(`
      -- Referral codes are per program: the same code may belong to different users in two programs.
      CREATE TABLE attribution_referral_codes (
        program_key text NOT NULL REFERENCES programs (key),
        code text NOT NULL CHECK (length(code) BETWEEN 1 AND 512),
        user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL,
        blocked_at timestamptz,
        blocked_reason text,
        PRIMARY KEY (program_key, code)
      );
      CREATE INDEX attribution_referral_codes_user ON attribution_referral_codes (program_key, user_id);
      CREATE INDEX attribution_referral_codes_code ON attribution_referral_codes (code);

      -- Deleted accounts, by an HMAC-SHA-256 of the normalized email: no plain email is kept.
      CREATE TABLE attribution_deleted_accounts (
        email_hash text PRIMARY KEY CHECK (email_hash ~ '^[0-9a-f]{64}$'),
        deleted_at timestamptz NOT NULL
      );

      -- The first signup call per (product, user): its time and whether the email was a deleted
      -- account's stand for every later call (replays, the first authenticated request).
      CREATE TABLE attribution_signups (
        product text NOT NULL,
        user_id text NOT NULL,
        signed_up_at timestamptz NOT NULL,
        deleted_account boolean NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (product, user_id)
      );
      CREATE TRIGGER attribution_signups_immutable BEFORE UPDATE OR DELETE ON attribution_signups
        FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();

      -- At most one referral per (product, referee), decided once: qualified (a program version
      -- pinned), disqualified (guards), or no_program (no active program in its inviting window
      -- matched); selection records what each candidate program answered.
      CREATE TABLE attribution_referrals (
        id bigserial PRIMARY KEY,
        product text NOT NULL,
        referee_user_id text NOT NULL,
        referrer_user_id text,
        referral_code text,
        touch_id bigint NOT NULL REFERENCES attribution_touches (id),
        status text NOT NULL CHECK (status IN ('qualified', 'disqualified', 'no_program')),
        reasons text[] NOT NULL CHECK (reasons <@ ARRAY[${REFERRAL_REASONS}]::text[]),
        program_key text,
        program_version integer,
        selection jsonb NOT NULL CHECK (jsonb_typeof(selection) = 'array'),
        signed_up_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT attribution_referrals_one_per_referee UNIQUE (product, referee_user_id),
        CONSTRAINT attribution_referrals_program_version FOREIGN KEY (program_key, program_version)
          REFERENCES program_versions (program_key, version),
        CONSTRAINT attribution_referrals_pinned_when_qualified CHECK (
          (status = 'qualified') = (program_key IS NOT NULL) AND (program_key IS NULL) = (program_version IS NULL)),
        CONSTRAINT attribution_referrals_reasons CHECK (
          (status = 'qualified' AND cardinality(reasons) = 0) OR (status <> 'qualified' AND cardinality(reasons) > 0))
      );
      CREATE INDEX attribution_referrals_referrer ON attribution_referrals (referrer_user_id) WHERE referrer_user_id IS NOT NULL;
      CREATE TRIGGER attribution_referrals_immutable BEFORE UPDATE OR DELETE ON attribution_referrals
        FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      DROP TABLE attribution_referrals;
      DROP TABLE attribution_signups;
      DROP TABLE attribution_deleted_accounts;
      DROP TABLE attribution_referral_codes;
    `);
  },
};

const createConversions: Migration = {
  name: '202611211230-create-attribution-conversions',
  async up({ sequelize }) {
    await sequelize.query(`
      -- The attribution outcome of each qualifying conversion, decided once.
      CREATE TABLE attribution_conversions (
        id bigserial PRIMARY KEY,
        provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
        source_payment_id text NOT NULL CHECK (length(source_payment_id) BETWEEN 1 AND 200),
        product text NOT NULL,
        user_id text NOT NULL,
        conversion_time timestamptz NOT NULL,
        sale boolean NOT NULL,
        window_days integer NOT NULL CHECK (window_days BETWEEN 1 AND 3650),
        winner text NOT NULL CHECK (winner IN ('referral', 'affiliate', 'none')),
        winning_touch_id bigint REFERENCES attribution_touches (id),
        referral_id bigint REFERENCES attribution_referrals (id),
        reason text NOT NULL,
        verdicts jsonb NOT NULL CHECK (jsonb_typeof(verdicts) = 'array'),
        content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
        recorded_at timestamptz NOT NULL,
        CONSTRAINT attribution_conversions_payment UNIQUE (provider, source_payment_id),
        CONSTRAINT attribution_conversions_winner_touch CHECK ((winner = 'none') = (winning_touch_id IS NULL)),
        CONSTRAINT attribution_conversions_referral_winner CHECK (referral_id IS NULL OR winner = 'referral')
      );
      CREATE INDEX attribution_conversions_user ON attribution_conversions (user_id, product);
      CREATE TRIGGER attribution_conversions_immutable BEFORE UPDATE OR DELETE ON attribution_conversions
        FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();

      ALTER TABLE attribution_touches ADD CONSTRAINT attribution_touches_sale_conversion
        FOREIGN KEY (sale_attributed_conversion_id) REFERENCES attribution_conversions (id);
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      ALTER TABLE attribution_touches DROP CONSTRAINT attribution_touches_sale_conversion;
      DROP TABLE attribution_conversions;
    `);
  },
};

/**
 * Every subscription payment the engine saw, per (product, user): Kilo rule 99 (no earlier
 * subscription of the product, other than the one being converted) is decided from it, whatever
 * `sequence` the host sends. An annual payment that rewards nothing is recorded too. Rows never change.
 */
const createSubscriptionPayments = sqlMigration(
  '202612031200-create-attribution-subscription-payments',
  `
  CREATE TABLE attribution_subscription_payments (
    provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    source_payment_id text NOT NULL CHECK (length(source_payment_id) BETWEEN 1 AND 200),
    product text NOT NULL,
    user_id text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 200),
    subscription_key text NOT NULL CHECK (length(subscription_key) BETWEEN 1 AND 300),
    tier text NOT NULL,
    billing_interval text NOT NULL,
    subscription_kind text NOT NULL,
    started_at timestamptz NOT NULL,
    paid_at timestamptz NOT NULL,
    sequence integer NOT NULL CHECK (sequence >= 1),
    amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
    currency text NOT NULL,
    host_stated_earlier boolean NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (provider, source_payment_id)
  );
  CREATE INDEX attribution_subscription_payments_user ON attribution_subscription_payments (user_id, product, started_at);
  CREATE TRIGGER attribution_subscription_payments_immutable BEFORE UPDATE OR DELETE ON attribution_subscription_payments
    FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();
  `,
  'DROP TABLE attribution_subscription_payments;',
);

/**
 * What rewarding decided for each conversion, with the eligibility reasons when it rewarded nobody
 * (or capped the referrer), written in the event's transaction: the conversion and the user's
 * referral read their reasons later without replaying the event. Conversions and referrals stay
 * immutable; this is their append-only companion, one row per conversion.
 */
const createConversionOutcomes = sqlMigration(
  '202612031210-create-attribution-conversion-outcomes',
  `
  CREATE TABLE attribution_conversion_outcomes (
    conversion_id bigint PRIMARY KEY REFERENCES attribution_conversions (id),
    referral_id bigint REFERENCES attribution_referrals (id),
    decision_code text NOT NULL CHECK (length(decision_code) BETWEEN 1 AND 64),
    rewarded boolean NOT NULL,
    reasons text[] NOT NULL,
    recorded_at timestamptz NOT NULL
  );
  CREATE INDEX attribution_conversion_outcomes_referral ON attribution_conversion_outcomes (referral_id, conversion_id)
    WHERE referral_id IS NOT NULL;
  CREATE TRIGGER attribution_conversion_outcomes_immutable BEFORE UPDATE OR DELETE ON attribution_conversion_outcomes
    FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();
  `,
  'DROP TABLE attribution_conversion_outcomes;',
);

/**
 * Kilo rules 69, 173: a test, admin-created or manually adjusted payment rewards nobody and is not
 * reported to Impact, unless an operator marked its conversion eligible first. The mark is the
 * audit record (who, why, when); it never changes.
 */
const createEligibilityMarks = sqlMigration(
  '202612031230-create-attribution-conversion-eligibility-marks',
  `
  CREATE TABLE attribution_conversion_eligibility_marks (
    provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    source_payment_id text NOT NULL CHECK (length(source_payment_id) BETWEEN 1 AND 200),
    operator text NOT NULL CHECK (length(operator) BETWEEN 1 AND 200),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    marked_at timestamptz NOT NULL,
    PRIMARY KEY (provider, source_payment_id)
  );
  CREATE TRIGGER attribution_conversion_eligibility_marks_immutable BEFORE UPDATE OR DELETE ON attribution_conversion_eligibility_marks
    FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();
  `,
  'DROP TABLE attribution_conversion_eligibility_marks;',
);

/**
 * A signup dated before its referral touch gets its own reason, `signup_before_touch`, instead of
 * `existing_account` (which rows recorded before keep). Referrals are immutable: only the list of
 * allowed reasons grows.
 */
// Spelled out: this migration stays what it was whatever the lists above become.
const REASONS_WITH_SIGNUP_BEFORE_TOUCH = `'self_referral', 'signup_before_touch', 'existing_account', 'deleted_account', 'referrer_unknown', 'referrer_ambiguous', 'referrer_blocked', 'no_program_matched'`;
const REASONS_BEFORE_SIGNUP_BEFORE_TOUCH = `'self_referral', 'existing_account', 'deleted_account', 'referrer_unknown', 'referrer_ambiguous', 'referrer_blocked', 'no_program_matched'`;

const addSignupBeforeTouchReason: Migration = {
  name: '202612031100-referral-reason-signup-before-touch',
  async up({ sequelize }) {
    await sequelize.query(`
      ALTER TABLE attribution_referrals DROP CONSTRAINT attribution_referrals_reasons_check;
      ALTER TABLE attribution_referrals ADD CONSTRAINT attribution_referrals_reasons_check
        CHECK (reasons <@ ARRAY[${REASONS_WITH_SIGNUP_BEFORE_TOUCH}]::text[]);
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      ALTER TABLE attribution_referrals DROP CONSTRAINT attribution_referrals_reasons_check;
      ALTER TABLE attribution_referrals ADD CONSTRAINT attribution_referrals_reasons_check CHECK (reasons <@ ARRAY[${REASONS_BEFORE_SIGNUP_BEFORE_TOUCH}]::text[]);
    `);
  },
};

/**
 * Issue 15: a user's erasure (GDPR) deletes or anonymizes rows these tables keep immutable. The
 * guards let a change through only inside a transaction that set `referrals.erasure` (the erasure
 * use case, `allowErasureInTransaction`); everywhere else they refuse as before. The audit of each
 * erasure holds who asked, why, when and the per-table counts, never the erased user's id or email
 * (`subject` is the user's pseudonym, so a second erase finds the first).
 */
const allowErasure = sqlMigration(
  '202612031700-attribution-user-erasure-and-retention',
  `
  CREATE OR REPLACE FUNCTION attribution_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF current_setting('referrals.erasure', true) = 'on' THEN
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END $$;

  CREATE OR REPLACE FUNCTION attribution_touches_guard() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF current_setting('referrals.erasure', true) = 'on' THEN
      RETURN NEW;
    END IF;
    IF ROW(NEW.id, NEW.kind, NEW.anonymous_id, NEW.product, NEW.program_key, NEW.saasquatch_cookie, NEW.referral_code,
           NEW.click_id, NEW.metadata, NEW.landing_path, NEW.status, NEW.truncated, NEW.touched_at, NEW.touched_minute,
           NEW.dedupe_key)
       IS DISTINCT FROM ROW(OLD.id, OLD.kind, OLD.anonymous_id, OLD.product, OLD.program_key, OLD.saasquatch_cookie,
           OLD.referral_code, OLD.click_id, OLD.metadata, OLD.landing_path, OLD.status, OLD.truncated, OLD.touched_at,
           OLD.touched_minute, OLD.dedupe_key)
       OR (OLD.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
       OR (OLD.sale_attributed_at IS NOT NULL AND NEW.sale_attributed_at IS NULL) THEN
      RAISE EXCEPTION 'touch %: captured facts never change; the owner is set once and a sale attribution is never cleared', OLD.id
        USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END $$;

  CREATE TABLE attribution_user_erasures (
    id bigserial PRIMARY KEY,
    subject text NOT NULL CHECK (subject ~ '^erased:[0-9a-f]{64}$'),
    requested_by text NOT NULL CHECK (length(requested_by) BETWEEN 1 AND 200),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    counts jsonb NOT NULL CHECK (jsonb_typeof(counts) = 'object'),
    erased_at timestamptz NOT NULL
  );
  CREATE INDEX attribution_user_erasures_subject ON attribution_user_erasures (subject, id);

  -- Retention (deleteUnattributedTouches) and erasure find a touch's referral and won conversions by index.
  CREATE INDEX attribution_referrals_touch ON attribution_referrals (touch_id);
  CREATE INDEX attribution_conversions_winning_touch ON attribution_conversions (winning_touch_id) WHERE winning_touch_id IS NOT NULL;
  CREATE INDEX attribution_touches_retention ON attribution_touches (touched_at, id) WHERE sale_attributed_conversion_id IS NULL;
  CREATE TRIGGER attribution_user_erasures_immutable BEFORE UPDATE OR DELETE ON attribution_user_erasures
    FOR EACH ROW EXECUTE FUNCTION attribution_refuse_change();
  `,
  `
  DROP INDEX attribution_touches_retention;
  DROP INDEX attribution_conversions_winning_touch;
  DROP INDEX attribution_referrals_touch;
  DROP TABLE attribution_user_erasures;
  CREATE OR REPLACE FUNCTION attribution_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE OR REPLACE FUNCTION attribution_touches_guard() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF ROW(NEW.id, NEW.kind, NEW.anonymous_id, NEW.product, NEW.program_key, NEW.saasquatch_cookie, NEW.referral_code,
           NEW.click_id, NEW.metadata, NEW.landing_path, NEW.status, NEW.truncated, NEW.touched_at, NEW.touched_minute,
           NEW.dedupe_key)
       IS DISTINCT FROM ROW(OLD.id, OLD.kind, OLD.anonymous_id, OLD.product, OLD.program_key, OLD.saasquatch_cookie,
           OLD.referral_code, OLD.click_id, OLD.metadata, OLD.landing_path, OLD.status, OLD.truncated, OLD.touched_at,
           OLD.touched_minute, OLD.dedupe_key)
       OR (OLD.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
       OR (OLD.sale_attributed_at IS NOT NULL AND NEW.sale_attributed_at IS NULL) THEN
      RAISE EXCEPTION 'touch %: captured facts never change; the owner is set once and a sale attribution is never cleared', OLD.id
        USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
  END $$;
  `,
);

/**
 * The payment-instrument guard (Kilo rules 176-184): one welcome promo and one referral conversion
 * per reusable payment instrument. A claim is one row per (product, instrument digest): the
 * digest is an HMAC of the provider's fingerprint under a server secret, never the fingerprint.
 * The first claiming settlement inserts it (ON CONFLICT DO NOTHING: concurrent first payments
 * leave one); it survives refunds, disputes, cancellations and erasure. Erasure may only null
 * `user_id` (the one change the trigger lets through): `UPDATE payment_instrument_claims SET
 * user_id = NULL WHERE user_id = $1`, likewise on payment_instrument_uses.
 *
 * `payment_instrument_uses` records what the guard found for each payment whose method billing
 * reported (the welcome promo of the subscriber's first positive monthly settlement reads it).
 */
const createPaymentInstrumentClaims = sqlMigration(
  '202612031600-create-payment-instrument-claims',
  `
  CREATE FUNCTION payment_instrument_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL
       AND (to_jsonb(NEW) - 'user_id') = (to_jsonb(OLD) - 'user_id') THEN
      RETURN NEW; -- erasure: the user reference goes, the record stays
    END IF;
    RAISE EXCEPTION '% rows are immutable (erasure may only null user_id)', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
  END $$;

  CREATE TABLE payment_instrument_claims (
    product text NOT NULL,
    instrument_hash text NOT NULL CHECK (instrument_hash ~ '^[0-9a-f]{64}$'),
    method_type text NOT NULL CHECK (method_type ~ '^[a-z][a-z0-9_]{0,63}$'),
    user_id text CHECK (length(user_id) BETWEEN 1 AND 200),
    provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    source_payment_id text NOT NULL CHECK (length(source_payment_id) BETWEEN 1 AND 200),
    claimed_at timestamptz NOT NULL,
    PRIMARY KEY (product, instrument_hash)
  );
  CREATE INDEX payment_instrument_claims_user ON payment_instrument_claims (user_id) WHERE user_id IS NOT NULL;
  CREATE TRIGGER payment_instrument_claims_immutable BEFORE UPDATE OR DELETE ON payment_instrument_claims
    FOR EACH ROW EXECUTE FUNCTION payment_instrument_refuse_change();

  CREATE TABLE payment_instrument_uses (
    provider text NOT NULL CHECK (provider ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    source_payment_id text NOT NULL CHECK (length(source_payment_id) BETWEEN 1 AND 200),
    product text NOT NULL,
    user_id text CHECK (length(user_id) BETWEEN 1 AND 200),
    method_type text NOT NULL CHECK (method_type ~ '^[a-z][a-z0-9_]{0,63}$'),
    positive_monthly boolean NOT NULL,
    paid_at timestamptz NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('claimed', 'own_claim', 'already_claimed', 'not_claiming', 'no_fingerprint', 'not_reusable', 'unresolved')),
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (provider, source_payment_id)
  );
  CREATE INDEX payment_instrument_uses_user ON payment_instrument_uses (user_id, product, paid_at) WHERE user_id IS NOT NULL;
  CREATE TRIGGER payment_instrument_uses_immutable BEFORE UPDATE OR DELETE ON payment_instrument_uses
    FOR EACH ROW EXECUTE FUNCTION payment_instrument_refuse_change();
  `,
  'DROP TABLE payment_instrument_uses; DROP TABLE payment_instrument_claims; DROP FUNCTION payment_instrument_refuse_change();',
);

export const attributionMigrations: MigrationSource = {
  owner: 'attribution',
  migrations: [
    createTouches,
    createReferrals,
    createConversions,
    addSignupBeforeTouchReason,
    createSubscriptionPayments,
    createConversionOutcomes,
    createEligibilityMarks,
    createPaymentInstrumentClaims,
    allowErasure,
  ],
};
