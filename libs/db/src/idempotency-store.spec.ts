import { dbMigrations } from './migrations/index';
import { hashRequestBody, lookupIdempotencyKey, saveIdempotentResponse } from './idempotency-store';
import { useTestDatabase } from './testing';

describe('idempotency store', () => {
  const db = useTestDatabase([dbMigrations]);

  it('answers "new" for an unseen key, then replays the stored answer for the same body', async () => {
    const hash = hashRequestBody({ amount: 100, currency: 'USD' });
    expect(await lookupIdempotencyKey(db.sequelize, 'payments', 'k-1', hash)).toEqual({ kind: 'new' });
    const saved = await saveIdempotentResponse(db.sequelize, { scope: 'payments', key: 'k-1', requestHash: hash, status: 201, body: { ok: true } });
    expect(saved).toEqual({ kind: 'replay', status: 201, body: { ok: true } });
    // Same content in another key order is the same request.
    expect(await lookupIdempotencyKey(db.sequelize, 'payments', 'k-1', hashRequestBody({ currency: 'USD', amount: 100 }))).toEqual(saved);
  });

  it('calls a reuse of the key with another body a conflict, and keeps the first answer when saved twice', async () => {
    const first = hashRequestBody({ amount: 100 });
    await saveIdempotentResponse(db.sequelize, { scope: 'payments', key: 'k-2', requestHash: first, status: 201, body: { n: 1 } });
    const retried = await saveIdempotentResponse(db.sequelize, { scope: 'payments', key: 'k-2', requestHash: first, status: 201, body: { n: 2 } });
    expect(retried).toEqual({ kind: 'replay', status: 201, body: { n: 1 } });
    expect(await lookupIdempotencyKey(db.sequelize, 'payments', 'k-2', hashRequestBody({ amount: 101 }))).toEqual({ kind: 'conflict' });
  });

  it('keeps scopes apart: the same key under another scope is unseen', async () => {
    await saveIdempotentResponse(db.sequelize, { scope: 'a', key: 'k-3', requestHash: 'h', status: 200, body: null });
    expect(await lookupIdempotencyKey(db.sequelize, 'b', 'k-3', 'h')).toEqual({ kind: 'new' });
  });
});
