import { contentHash, queryRows, type SqlWrite } from '@referrals/sql';
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
    { direct: true, prepare: true },
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
  const write = idempotentAnswerWrite(entry);
  await queryRows(sequelize, transaction, write.text, write.values, { direct: true, prepare: true });
}

/** storeIdempotentAnswer's INSERT, not yet run (to go with other writes: runWritesTogether). */
export function idempotentAnswerWrite(entry: { scope: string; key: string; requestHash: string; status: number; body: unknown }): SqlWrite {
  return {
    text: 'INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body) VALUES ($1, $2, $3, $4, $5::jsonb)',
    values: [entry.scope, entry.key, entry.requestHash, entry.status, JSON.stringify(entry.body ?? null)],
  };
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

/** What claiming a key before the work says. */
export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'answered'; status: number; body: unknown }
  | { kind: 'conflict' }
  | { kind: 'in_flight' };

/**
 * Claims `key` under `scope` for the work of one request, BEFORE the work: exactly one of several
 * concurrent requests with the key gets `claimed` and does the work; the others get the stored
 * answer once it exists (`answered`, waiting up to `waitMs` for it), `conflict` when their body
 * differs (nothing done), or `in_flight` when the first request still runs after the wait. A claim
 * older than `leaseMs` (its process died) is taken over. The owner ends the claim with
 * `releaseIdempotencyClaim` after storing the answer, or after its work failed (a retry may then run).
 */
export async function claimIdempotencyKey(
  sequelize: Sequelize,
  claim: { scope: string; key: string; requestHash: string },
  options: { waitMs?: number; leaseMs?: number; pollMs?: number } = {},
): Promise<IdempotencyClaim> {
  const waitMs = options.waitMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 25;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const answered = await lookupIdempotencyKey(sequelize, claim.scope, claim.key, claim.requestHash);
    if (answered.kind === 'conflict') return { kind: 'conflict' };
    if (answered.kind === 'replay') return { kind: 'answered', status: answered.status, body: answered.body };
    // Insert the claim, or take over one whose lease ran out; either way RETURNING says we own it.
    const [taken] = await queryRows<{ request_hash: string }>(
      sequelize,
      undefined,
      `INSERT INTO idempotency_claims (scope, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, claimed_at = now()
         WHERE idempotency_claims.claimed_at < now() - make_interval(secs => $4::double precision / 1000)
       RETURNING request_hash`,
      [claim.scope, claim.key, claim.requestHash, leaseMs],
    );
    if (taken) {
      // The first owner may have stored its answer between our lookup and our claim.
      const late = await lookupIdempotencyKey(sequelize, claim.scope, claim.key, claim.requestHash);
      if (late.kind === 'new') return { kind: 'claimed' };
      await releaseIdempotencyClaim(sequelize, claim);
      return late.kind === 'conflict' ? { kind: 'conflict' } : { kind: 'answered', status: late.status, body: late.body };
    }
    const [held] = await queryRows<{ request_hash: string }>(sequelize, undefined, 'SELECT request_hash FROM idempotency_claims WHERE scope = $1 AND key = $2', [
      claim.scope,
      claim.key,
    ]);
    if (held && held.request_hash !== claim.requestHash) return { kind: 'conflict' };
    if (Date.now() > deadline) return { kind: 'in_flight' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Ends a claim (answer stored, or the work failed and may be retried). */
export async function releaseIdempotencyClaim(sequelize: Sequelize, claim: { scope: string; key: string }): Promise<void> {
  await queryRows(sequelize, undefined, 'DELETE FROM idempotency_claims WHERE scope = $1 AND key = $2 RETURNING key', [claim.scope, claim.key]);
}
