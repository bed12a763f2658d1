import { type Migration } from '../migrations';

/**
 * `created_at` of `idempotency_keys` got no database default from the first migration (Sequelize's
 * createTable does not turn `DataTypes.NOW` into `DEFAULT now()`), so every insert that left it out
 * failed. A new migration, not an edit of the applied one.
 */
export const idempotencyKeysCreatedAtDefault: Migration = {
  name: '202611211600-idempotency-keys-created-at-default',
  async up({ sequelize }) {
    await sequelize.query('ALTER TABLE idempotency_keys ALTER COLUMN created_at SET DEFAULT now()');
  },
  async down({ sequelize }) {
    await sequelize.query('ALTER TABLE idempotency_keys ALTER COLUMN created_at DROP DEFAULT');
  },
};
