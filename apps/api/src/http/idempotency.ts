import { claimIdempotencyKey, hashRequestBody, releaseIdempotencyClaim, saveIdempotentResponse } from '@referrals/db';
import { type Sequelize } from 'sequelize';
import { ApiError } from './api-error';

export interface StoredAnswer {
  status: number;
  body: unknown;
  /** True when the answer was stored by an earlier request (this one only read it). */
  replayed: boolean;
}

export interface OnceOptions {
  /** Where the key lives: `idempotency-key:billing:POST /v1/...`. */
  scope: string;
  key: string;
  /** What a replay must match: the request's content (canonical JSON, key order ignored). */
  request: unknown;
  /** The code of the 409 when the key comes back with other content. */
  conflictCode: string;
  conflictMessage: string;
}

/**
 * Answers a request at most once per key, and does its work at most once: the key is CLAIMED
 * before the work (`claimIdempotencyKey`), so of several concurrent requests with one key only the
 * claimant computes; the others wait for its stored answer and get it back (byte-identical, read
 * from the same row), or a 409 without doing anything when their body differs, or a 409
 * `idempotency_key_in_flight` when the first request is still running after the wait. The first 2xx
 * answer is stored; errors are not, and release the claim, so a failed request can be retried.
 */
export async function answerOnce(
  sequelize: Sequelize,
  options: OnceOptions,
  compute: () => Promise<{ status: number; body: unknown }>,
): Promise<StoredAnswer> {
  const requestHash = hashRequestBody(options.request);
  const entry = { scope: options.scope, key: options.key, requestHash };
  const claim = await claimIdempotencyKey(sequelize, entry);
  if (claim.kind === 'conflict') throw new ApiError(409, options.conflictCode, options.conflictMessage);
  if (claim.kind === 'in_flight') {
    throw new ApiError(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed; retry it shortly');
  }
  if (claim.kind === 'answered') return { status: claim.status, body: claim.body, replayed: true };
  try {
    const answer = await compute();
    if (answer.status < 200 || answer.status >= 300) return { ...answer, replayed: false };
    const stored = await saveIdempotentResponse(sequelize, { ...entry, ...answer });
    if (stored.kind === 'conflict') throw new ApiError(409, options.conflictCode, options.conflictMessage);
    if (stored.kind === 'new') throw new Error('an idempotent answer vanished right after it was stored');
    return { status: stored.status, body: stored.body, replayed: false };
  } finally {
    await releaseIdempotencyClaim(sequelize, entry);
  }
}
