import { DataTypes } from 'sequelize';
import { type Migration } from '../migrations';

/**
 * Stored answers to retried requests: a caller's `Idempotency-Key` under a scope (route) maps to
 * the hash of the first request body and the response that was given, so a replay returns the
 * same answer and a reuse with another body is a conflict.
 */
export const createIdempotencyKeys: Migration = {
  name: '202611210000-create-idempotency-keys',
  async up({ queryInterface }) {
    await queryInterface.createTable('idempotency_keys', {
      scope: { type: DataTypes.TEXT, allowNull: false, primaryKey: true },
      key: { type: DataTypes.TEXT, allowNull: false, primaryKey: true },
      request_hash: { type: DataTypes.TEXT, allowNull: false },
      response_status: { type: DataTypes.INTEGER, allowNull: false },
      response_body: { type: DataTypes.JSONB, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
    });
  },
  async down({ queryInterface }) {
    await queryInterface.dropTable('idempotency_keys');
  },
};
