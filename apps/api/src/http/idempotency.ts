import { hashRequestBody, lookupIdempotencyKey, saveIdempotentResponse } from '@referrals/db';
import { type Sequelize } from 'sequelize';
import { ApiError } from './api-error';

export interface StoredAnswer {
  status: number;
  body: unknown;
  /** True when the answer was stored by an earlier request (this one only read it). */
  replayed: boolean;
}

export interface OnceOptions {
  /** Where the key lives: `idempotency-key:billing:POST /v1/...` or `event:payment.succeeded`. */
  scope: string;
  key: string;
  /** What a replay must match: the request's content (canonical JSON, key order ignored). */
  request: unknown;
  /** The code of the 409 when the key comes back with other content. */
  conflictCode: string;
  conflictMessage: string;
}

/**
 * Answers a request at most once per key: the first 2xx answer is stored with the hash of the
 * request; the same key with the same content gets that stored answer back (byte-identical, read
 * from the same row), with other content a 409. Errors are not stored, so a failed request can be
 * retried. Concurrent first requests both compute (the work itself must be idempotent: the libs
 * are, by business key), and both answer with whichever answer was stored first.
 */
export async function answerOnce(
  sequelize: Sequelize,
  options: OnceOptions,
  compute: () => Promise<{ status: number; body: unknown }>,
): Promise<StoredAnswer> {
  const requestHash = hashRequestBody(options.request);
  const seen = await lookupIdempotencyKey(sequelize, options.scope, options.key, requestHash);
  if (seen.kind === 'conflict') throw new ApiError(409, options.conflictCode, options.conflictMessage);
  if (seen.kind === 'replay') return { status: seen.status, body: seen.body, replayed: true };
  const answer = await compute();
  if (answer.status < 200 || answer.status >= 300) return { ...answer, replayed: false };
  const stored = await saveIdempotentResponse(sequelize, { scope: options.scope, key: options.key, requestHash, ...answer });
  if (stored.kind === 'conflict') throw new ApiError(409, options.conflictCode, options.conflictMessage);
  if (stored.kind === 'new') throw new Error('an idempotent answer vanished right after it was stored');
  return { status: stored.status, body: stored.body, replayed: false };
}
