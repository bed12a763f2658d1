import { useTestDatabase } from '@referrals/db/testing';
import { formatProgramDiff } from './program-diff';
import { createProgramStore, type ProgramStore } from './program-store';
import { isProgramError } from './programs.errors';
import { programsMigrations } from './programs.migrations';
import { AUTHOR, challengeRewards, kiloPass, manualClock, productCatalogs, T0 } from './testing/program-fixtures';

describe('program history', () => {
  const db = useTestDatabase([programsMigrations]);
  const clock = manualClock();
  let store: ProgramStore;
  const cbr = challengeRewards();

  beforeAll(async () => {
    store = createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs(), clock: clock.now });
    await store.save({ document: cbr, author: AUTHOR, changeNote: 'Launch', expectedVersion: 0 });
    clock.advance(3_600_000);
    const blocklist = cbr.terms.map((t) => (t.name === 'challenge_user_blocklist' && t.kind === 'value' ? { ...t, value: [1001, 1002, 4242, 7777] } : t));
    await store.save({ document: { ...cbr, terms: blocklist }, author: 'operator:bob@example.com', changeNote: 'Block 7777', expectedVersion: 1 });
    clock.advance(3_600_000);
    await store.save({ document: { ...cbr, terms: blocklist, status: 'paused' }, author: AUTHOR, changeNote: 'Pause', expectedVersion: 2 });
    await store.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
  });

  it('lists every version newest first, with author, time, note and which one is current', async () => {
    expect(await store.listVersions(cbr.key)).toEqual([
      expect.objectContaining({ version: 3, status: 'paused', author: AUTHOR, changeNote: 'Pause', createdAt: new Date(T0.getTime() + 7_200_000), current: true }),
      expect.objectContaining({ version: 2, status: 'active', author: 'operator:bob@example.com', changeNote: 'Block 7777', current: false }),
      expect.objectContaining({ version: 1, status: 'active', changeNote: 'Launch', createdAt: T0, current: false }),
    ]);
  });

  it('fetches any version with its document as saved', async () => {
    const v1 = await store.getVersion(cbr.key, 1);
    expect(v1.document).toEqual(cbr);
    expect((await store.getVersion(cbr.key, 3)).document.status).toBe('paused');
  });

  it('summarises what changed between two versions, in either direction', async () => {
    const forward = await store.diff(cbr.key, 1, 3);
    expect(formatProgramDiff(forward)).toEqual([
      'challenge-based-rewards-student v1 -> v3: 2 changes',
      '- status: "active" -> "paused"',
      '- term "challenge_user_blocklist" value: added 7777',
    ]);
    const backward = await store.diff(cbr.key, 2, 1);
    expect(backward.changes.map((c) => c.summary)).toEqual(['term "challenge_user_blocklist" value: removed 7777']);
  });

  it('lists current versions in selection order, filtered by product and status', async () => {
    expect((await store.list()).map((p) => [p.key, p.version])).toEqual([
      ['kilo-pass-referrals', 1],
      ['challenge-based-rewards-student', 3],
    ]);
    expect((await store.list({ product: 'tutoring', status: 'active' })).map((p) => p.key)).toEqual([]);
    expect((await store.list({ status: 'active' })).map((p) => p.key)).toEqual(['kilo-pass-referrals']);
  });

  it('unknown programs and versions are not_found errors with their own codes', async () => {
    await expect(store.get('no-such-program')).rejects.toMatchObject({ code: 'program_not_found', kind: 'not_found' });
    expect(await store.find('no-such-program')).toBeNull();
    await expect(store.getVersion(cbr.key, 9)).rejects.toMatchObject({ code: 'program_version_not_found' });
    await expect(store.getVersion('no-such-program', 1)).rejects.toMatchObject({ code: 'program_not_found' });
    await expect(store.listVersions('no-such-program')).rejects.toMatchObject({ code: 'program_not_found' });
    const error = await store.getVersion('Not A Key', 0).catch((e: unknown) => e);
    expect(isProgramError(error, 'input_invalid')).toBe(true);
  });

  it('loads a version compiled for evaluation, once per version', async () => {
    const pinned = await store.load(cbr.key, 2);
    expect(pinned.version).toBe(2);
    expect(await store.load(cbr.key, 2)).toBe(pinned);
    const decision = pinned.compiled.evaluateEligibility(
      {
        referral: { created_at: '2025-10-01T00:00:00Z' },
        advocate: { user_id: 7777, toggles: ['student_challenge_2025'] },
        invitee: { user_id: 5, country: 'US', signed_up_at: '2025-10-01T00:00:00Z' },
      },
      { at: '2025-10-01T00:00:00Z', explain: false },
    );
    // 7777 was blocklisted in version 2, not in version 1.
    expect(decision.code).toBe('conditions_not_met');
    const v1 = await store.load(cbr.key, 1);
    expect(v1.compiled.evaluateEligibility(
      {
        referral: { created_at: '2025-10-01T00:00:00Z' },
        advocate: { user_id: 7777, toggles: ['student_challenge_2025'] },
        invitee: { user_id: 5, country: 'US', signed_up_at: '2025-10-01T00:00:00Z' },
      },
      { at: '2025-10-01T00:00:00Z', explain: false },
    ).code).toBe('eligible');
  });
});
