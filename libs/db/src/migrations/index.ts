import { type MigrationSource } from '../migrations';
import { createIdempotencyKeys } from './202611210000-create-idempotency-keys';

/** The tables `libs/db` itself owns. */
export const dbMigrations: MigrationSource = {
  owner: 'db',
  migrations: [createIdempotencyKeys],
};
