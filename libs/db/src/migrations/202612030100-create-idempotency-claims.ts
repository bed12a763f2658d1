import { type Migration } from '../migrations';

/**
 * In-flight `Idempotency-Key`s: a request claims its key here BEFORE doing its work, so a
 * concurrent request with the same key waits for the first answer (or is refused) instead of doing
 * the work again. The claim is removed when the answer is stored or the work failed; a claim older
 * than its lease (a crashed process) may be taken over.
 */
export const createIdempotencyClaims: Migration = {
  name: '202612030100-create-idempotency-claims',
  async up({ sequelize }) {
    await sequelize.query(`
      CREATE TABLE idempotency_claims (
        scope text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, key)
      )`);
  },
  async down({ sequelize }) {
    await sequelize.query('DROP TABLE idempotency_claims');
  },
};
