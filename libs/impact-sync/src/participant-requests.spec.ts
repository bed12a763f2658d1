import { useTestDatabase } from '@referrals/db/testing';
import { impactSyncMigrations } from './impact-sync.migrations';
import { participantRequestOf, saveParticipantRequest } from './participant-requests';

describe('participant requests', () => {
  const db = useTestDatabase([impactSyncMigrations]);
  const now = new Date('2026-12-03T10:00:00Z');

  it('stores what a registration sends, once per (program, user): the first request stands', async () => {
    const first = await db.sequelize.transaction((t) =>
      saveParticipantRequest(db.sequelize, t, {
        programKey: 'kilo-pass-referrals',
        userId: 'bob',
        product: 'kilo_pass',
        details: { id: 'bob@example.com', accountId: 'bob@example.com', email: 'bob@example.com', cookies: 'opaque' },
        now,
      }),
    );
    expect(first).toEqual({
      programKey: 'kilo-pass-referrals',
      userId: 'bob',
      product: 'kilo_pass',
      details: { id: 'bob@example.com', accountId: 'bob@example.com', email: 'bob@example.com', cookies: 'opaque' },
      requestedAt: now,
    });
    const again = await db.sequelize.transaction((t) =>
      saveParticipantRequest(db.sequelize, t, { programKey: 'kilo-pass-referrals', userId: 'bob', product: 'kilo_pass', details: { id: 'other' }, now: new Date() }),
    );
    expect(again).toEqual(first);
    expect(await participantRequestOf(db.sequelize, 'kilo-pass-referrals', 'bob')).toEqual(first);
  });

  it('a request rolled back with its transaction is not stored', async () => {
    await expect(
      db.sequelize.transaction(async (t) => {
        await saveParticipantRequest(db.sequelize, t, { programKey: 'kilo-pass-referrals', userId: 'ann', product: 'kilo_pass', details: { id: 'ann' }, now });
        throw new Error('the signup failed');
      }),
    ).rejects.toThrow('the signup failed');
    expect(await participantRequestOf(db.sequelize, 'kilo-pass-referrals', 'ann')).toBeNull();
  });
});
