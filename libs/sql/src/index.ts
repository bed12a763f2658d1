export { sqlMigration, type Migration, type MigrationContext, type MigrationSource } from './migration-contract';
export { canonicalJson, contentHash } from './content-hash';
export { pgErrorOf, RETRYABLE_SQLSTATES, sqlStateOf } from './pg-error';
export { logSafeError } from './log-safe-error';
export { forEachRow } from './for-each-row';
export { lockBusinessKey, lockBusinessKeys, queryRows, type QueryRowsOptions } from './query-rows';
export { fastTimestamptzTypes, timestamptzFromText, type PgTypeParsers } from './timestamptz-text';
export { runWritesTogether, type SqlWrite } from './sql-writes';
export {
  allowErasureInTransaction,
  countedChange,
  erasedUserPseudonym,
  jsonStringLiteral,
  userIdTokenPattern,
  type ErasureCounts,
  type TableErasure,
  type UserErasureInput,
} from './user-erasure';
