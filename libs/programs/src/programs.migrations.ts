import { type Migration, type MigrationSource, sqlMigration } from '@referrals/sql';

/**
 * The programs tables. They follow the migration contract of `@referrals/sql` (a domain lib may not
 * import the infra lib that runs them), so an app passes `programsMigrations` to `migrateUp`.
 *
 * Each migration is one multi-statement SQL string, which PostgreSQL runs in one implicit
 * transaction: a failing migration leaves nothing half-created. The invariants that matter under
 * concurrency live in the schema, not only in code:
 * - a version is immutable (trigger) and numbered densely per program (primary key + code);
 * - at most one ACTIVE program per (product, priority): a unique partial index on the current
 *   status and priority, which decides the race between two concurrent saves;
 * - a program's current version exists (deferred foreign key) and its product never changes.
 */
const createPrograms: Migration = {
  name: '202611211200-create-programs',
  async up({ sequelize }) {
    await sequelize.query(`
      -- One row per program: its identity and a copy of the current version's status and priority
      -- (the columns the selection query and the conflict index need).
      CREATE TABLE programs (
        key text PRIMARY KEY CHECK (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(key) <= 100),
        product text NOT NULL CHECK (product ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
        current_version integer NOT NULL CHECK (current_version >= 1),
        status text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
        priority integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE UNIQUE INDEX programs_one_active_per_product_priority ON programs (product, priority) WHERE status = 'active';
      CREATE INDEX programs_product ON programs (product, priority);

      -- Every saved version, never changed: referrals pin (program_key, version).
      CREATE TABLE program_versions (
        program_key text NOT NULL REFERENCES programs (key) DEFERRABLE INITIALLY DEFERRED,
        version integer NOT NULL CHECK (version >= 1),
        product text NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
        priority integer NOT NULL,
        name text NOT NULL,
        document jsonb NOT NULL CHECK (jsonb_typeof(document) = 'object'),
        content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
        author text NOT NULL CHECK (author <> '' AND length(author) <= 200),
        change_note text NOT NULL CHECK (change_note <> '' AND length(change_note) <= 2000),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (program_key, version),
        CONSTRAINT program_versions_document_key CHECK (document->>'key' = program_key),
        CONSTRAINT program_versions_document_product CHECK (document->>'product' = product)
      );

      ALTER TABLE programs ADD CONSTRAINT programs_current_version_exists
        FOREIGN KEY (key, current_version) REFERENCES program_versions (program_key, version) DEFERRABLE INITIALLY DEFERRED;

      CREATE FUNCTION programs_refuse_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'program versions are immutable: save a new version instead'
          USING ERRCODE = 'restrict_violation';
      END $$;
      CREATE TRIGGER program_versions_immutable BEFORE UPDATE OR DELETE ON program_versions
        FOR EACH ROW EXECUTE FUNCTION programs_refuse_version_change();
      CREATE TRIGGER program_versions_no_truncate BEFORE TRUNCATE ON program_versions
        FOR EACH STATEMENT EXECUTE FUNCTION programs_refuse_version_change();

      -- A program keeps its product for life, and its current version only moves forward.
      CREATE FUNCTION programs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'programs are never deleted: archive them' USING ERRCODE = 'restrict_violation';
        END IF;
        IF NEW.product <> OLD.product OR NEW.created_at <> OLD.created_at OR NEW.current_version <= OLD.current_version THEN
          RAISE EXCEPTION 'program %: the product never changes and the current version only moves forward', OLD.key
            USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER programs_guard BEFORE UPDATE OR DELETE ON programs
        FOR EACH ROW EXECUTE FUNCTION programs_guard();
    `);
  },
  async down({ sequelize }) {
    await sequelize.query(`
      DROP TABLE programs, program_versions;
      DROP FUNCTION programs_guard();
      DROP FUNCTION programs_refuse_version_change();
    `);
  },
};

/**
 * A program can be RETIRED (Kilo's KiloClaw program, rules 69a-69g): it stops for good, its
 * records stay. Only the retire operation writes this status (it cancels the program's open
 * rewards in the same transaction); a retired program takes no new version.
 */
const allowRetiredStatus = sqlMigration(
  '202612031300-programs-retired-status',
  `
    ALTER TABLE programs DROP CONSTRAINT programs_status_check;
    ALTER TABLE programs ADD CONSTRAINT programs_status_check CHECK (status IN ('draft', 'active', 'paused', 'archived', 'retired'));
    ALTER TABLE program_versions DROP CONSTRAINT program_versions_status_check;
    ALTER TABLE program_versions ADD CONSTRAINT program_versions_status_check CHECK (status IN ('draft', 'active', 'paused', 'archived', 'retired'));
  `,
  `
    ALTER TABLE programs DROP CONSTRAINT programs_status_check;
    ALTER TABLE programs ADD CONSTRAINT programs_status_check CHECK (status IN ('draft', 'active', 'paused', 'archived'));
    ALTER TABLE program_versions DROP CONSTRAINT program_versions_status_check;
    ALTER TABLE program_versions ADD CONSTRAINT program_versions_status_check CHECK (status IN ('draft', 'active', 'paused', 'archived'));
  `,
);

export const programsMigrations: MigrationSource = {
  owner: 'programs',
  migrations: [createPrograms, allowRetiredStatus],
};
