import { contentHash } from '@referrals/sql';
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
  const rows = await sequelize.query<{ request_hash: string; response_status: number; response_body: unknown }>(
    'SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE scope = :scope AND key = :key',
    { replacements: { scope, key }, type: QueryTypes.SELECT, transaction },
  );
  const row = rows[0];
  if (!row) return { kind: 'new' };
  if (row.request_hash !== requestHash) return { kind: 'conflict' };
  return { kind: 'replay', status: row.response_status, body: row.response_body };
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
