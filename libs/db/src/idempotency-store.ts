import { contentHash, queryRows } from '@referrals/sql';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** What a stored idempotency key says about a new request carrying it. */
export type IdempotencyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'conflict' };

/** A stable hash of a request body: same JSON content (whatever the key order) gives the same hash. */
export const hashRequestBody = (body: unknown): string => contentHash(body);

/** Looks up `key` under `scope`: unseen, a replay of the same request, or a reuse with another body. */
export async function lookupIdempotencyKey(
  sequelize: Sequelize,
  scope: string,
  key: string,
  requestHash: string,
  transaction?: Transaction,
): Promise<IdempotencyLookup> {
  // In a transaction: on its connection directly (every qualifying event reads its key here).
  const rows = await queryRows<{ request_hash: string; response_status: number; response_body: unknown }>(
    sequelize,
    transaction,
    'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2',
    [scope, key],
    { direct: true },
  );
  const row = rows[0];
  if (!row) return { kind: 'new' };
  if (row.request_hash !== requestHash) return { kind: 'conflict' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
}

/**
 * Stores the first answer of `key` in the caller's transaction, for callers that hold the key's
 * lock and found it unseen (`lookupIdempotencyKey` under `lockBusinessKey`): one INSERT, no read back.
 */
export async function storeIdempotentAnswer(
  sequelize: Sequelize,
  entry: { scope: string; key: string; requestHash: string; status: number; body: unknown },
  transaction: Transaction,
): Promise<void> {
  await queryRows(
    sequelize,
    transaction,
    `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING scope`,
    [entry.scope, entry.key, entry.requestHash, entry.status, JSON.stringify(entry.body ?? null)],
    { direct: true },
  );
}

/**
 * Stores the answer given to the first request with `key`. When a concurrent request stored one
 * first, that one wins and is returned, so every caller with the key sees the same answer.
 */
export async function saveIdempotentResponse(
  sequelize: Sequelize,
  entry: { scope: string; key: string; requestHash: string; status: number; body: unknown },
  transaction?: Transaction,
): Promise<IdempotencyLookup> {
  await sequelize.query(
    `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body)
     VALUES (:scope, :key, :requestHash, :status, CAST(:body AS jsonb))
     ON CONFLICT (scope, key) DO NOTHING`,
    {
      replacements: { ...entry, body: JSON.stringify(entry.body ?? null) },
      type: QueryTypes.INSERT,
      transaction,
    },
  );
  return lookupIdempotencyKey(sequelize, entry.scope, entry.key, entry.requestHash, transaction);
}
