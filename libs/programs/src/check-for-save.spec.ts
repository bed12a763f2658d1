import { useTestDatabase } from '@referrals/db/testing';
import { type ProgramDocument } from '@referrals/rule-dsl';
import { createProgramStore, type ProgramStore } from './program-store';
import { isProgramError } from './programs.errors';
import { programsMigrations } from './programs.migrations';
import { AUTHOR, challengeRewards, kiloPass, manualClock, productCatalogs, uniqueKey } from './testing/program-fixtures';

/** What the admin console's Check reports while the operator types: the same refusals as Save. */
describe('checkForSave and the refusals Check shares with Save', () => {
  const db = useTestDatabase([programsMigrations]);
  let store: ProgramStore;
  beforeAll(() => {
    store = createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs(), clock: manualClock().now });
  });

  it('reports the priority another active program of the product holds, as Save would refuse it', async () => {
    const holder = kiloPass({ key: uniqueKey('holder'), priority: 4321 });
    await store.save({ document: holder, author: AUTHOR, changeNote: 'launch', expectedVersion: 0 });
    const rival = kiloPass({ key: uniqueKey('rival'), priority: 4321 });
    expect(store.check(rival).ok).toBe(true);
    const check = await store.checkForSave(rival);
    expect(check).toEqual({ ok: false, code: 'priority_conflict', problems: [expect.objectContaining({ code: 'priority_conflict', path: 'priority', message: expect.stringContaining(holder.key) })] });
    const saved = await store.save({ document: rival, author: AUTHOR, changeNote: 'launch', expectedVersion: 0 }).catch((e: unknown) => e);
    expect(isProgramError(saved, 'priority_conflict')).toBe(true);
    // A draft at that priority, or the holder itself, conflicts with nothing.
    expect((await store.checkForSave({ ...rival, status: 'draft' })).ok).toBe(true);
    expect((await store.checkForSave(holder)).ok).toBe(true);
  });

  it('refuses an empty list and an empty value, in terms, eligibility and reward conditions', async () => {
    const base = challengeRewards({ key: uniqueKey('empty'), status: 'draft' });
    const document = structuredClone(base) as ProgramDocument & { terms: { kind: string; value?: unknown }[] };
    const listTerm = document.terms.findIndex((t) => t.kind === 'value' && Array.isArray(t.value));
    expect(listTerm).toBeGreaterThanOrEqual(0);
    (document.terms[listTerm] as { value: unknown }).value = [];
    (document as { eligibility: unknown[] }).eligibility = [{ subject: 'invitee.country', operator: 'in', value: [] }, { subject: 'invitee.country', operator: 'eq', value: '' }];
    const check = await store.checkForSave(document);
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { code: 'value_empty', path: `terms[${listTerm}].value`, message: 'is an empty list: give at least one item' },
        { code: 'value_empty', path: 'eligibility[0].value', message: 'is an empty list: give at least one item' },
        { code: 'value_empty', path: 'eligibility[1].value', message: 'is empty: give a value' },
      ]),
    );
    const saved = await store.save({ document, author: AUTHOR, changeNote: 'empty', expectedVersion: 0 }).catch((e: unknown) => e);
    expect(isProgramError(saved, 'program_invalid')).toBe(true);
    await expect(store.find(document.key)).resolves.toBeNull();
  });

  it('refuses a save that changes nothing (no new version), while a retry of the last save still replays', async () => {
    const document = kiloPass({ key: uniqueKey('same'), status: 'draft' });
    await store.save({ document, author: AUTHOR, changeNote: 'v1', expectedVersion: 0 });
    const unchanged = await store.save({ document, author: AUTHOR, changeNote: 'nothing really', expectedVersion: 1 }).catch((e: unknown) => e);
    expect(isProgramError(unchanged, 'program_unchanged')).toBe(true);
    expect((await store.listVersions(document.key)).map((v) => v.version)).toEqual([1]);
    const v2 = await store.save({ document: { ...document, name: 'Renamed' }, author: AUTHOR, changeNote: 'rename', expectedVersion: 1 });
    expect(v2.version).toBe(2);
    const retried = await store.save({ document: { ...document, name: 'Renamed' }, author: AUTHOR, changeNote: 'rename', expectedVersion: 1 });
    expect(retried).toMatchObject({ version: 2, replayed: true });
  });
});
