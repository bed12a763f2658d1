import { type MigrationSource } from '../migrations';
import { createIdempotencyKeys } from './202611210000-create-idempotency-keys';
import { idempotencyKeysCreatedAtDefault } from './202611211600-idempotency-keys-created-at-default';
import { createIdempotencyClaims } from './202612030100-create-idempotency-claims';

/** The tables `libs/db` itself owns. */
export const dbMigrations: MigrationSource = {
  owner: 'db',
  migrations: [createIdempotencyKeys, idempotencyKeysCreatedAtDefault, createIdempotencyClaims],
};
