export { createSequelize, pingDatabase, redactDatabaseUrl, type ConnectionOptions } from './connection';
export { databaseUrlSchema, withDatabase } from './database-url';
export {
  createMigrator,
  migrateDown,
  migrateUp,
  MigrationDefinitionError,
  orderMigrations,
  pendingMigrations,
  type Migration,
  type MigrationContext,
  type MigrationSource,
} from './migrations';
export { dbMigrations } from './migrations/index';
export { withTransaction, type IsolationLevel, type TransactionOptions } from './transaction';
export {
  hashRequestBody,
  lookupIdempotencyKey,
  saveIdempotentResponse,
  storeIdempotentAnswer,
  idempotentAnswerWrite,
  claimIdempotencyKey,
  releaseIdempotencyClaim,
  type IdempotencyClaim,
  type IdempotencyLookup,
} from './idempotency-store';
export { logSafeError, sqlStateOf } from '@referrals/sql';
export { eraseUserIdempotentAnswers } from './idempotency-erasure';
