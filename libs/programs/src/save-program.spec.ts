import { QueryTypes, type Sequelize } from 'sequelize';
import { useTestDatabase } from '@referrals/db/testing';
import { createProgramStore, type ProgramStore } from './program-store';
import { isProgramError, type ProgramError } from './programs.errors';
import { programsMigrations } from './programs.migrations';
import { AUTHOR, challengeRewards, kiloPass, manualClock, productCatalogs, T0, uniqueKey } from './testing/program-fixtures';

async function counts(sequelize: Sequelize): Promise<{ programs: number; versions: number }> {
  const [row] = await sequelize.query<{ programs: string; versions: string }>(
    'SELECT (SELECT count(*) FROM programs) AS programs, (SELECT count(*) FROM program_versions) AS versions',
    { type: QueryTypes.SELECT },
  );
  return { programs: Number(row?.programs), versions: Number(row?.versions) };
}

async function failure(promise: Promise<unknown>): Promise<ProgramError> {
  try {
    await promise;
  } catch (error) {
    if (isProgramError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProgramError, but the call succeeded');
}

let priority = 1000;
/** A fresh priority, so the active programs of different tests never conflict by accident. */
const nextPriority = () => (priority += 1);

describe('saveProgram', () => {
  const db = useTestDatabase([programsMigrations]);
  const clock = manualClock();
  let store: ProgramStore;
  beforeAll(() => {
    store = createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs(), clock: clock.now });
  });

  it('stores a valid program as version 1 with its author, time and change note, and makes it current', async () => {
    const document = kiloPass({ key: uniqueKey('kilo'), priority: nextPriority() });
    const saved = await store.save({ document, author: AUTHOR, changeNote: 'Launch', expectedVersion: 0 });
    expect(saved).toEqual(
      expect.objectContaining({ key: document.key, version: 1, product: 'kilo_pass', status: 'active', author: AUTHOR, changeNote: 'Launch', createdAt: T0, replayed: false }),
    );
    expect(saved.document).toEqual(document);
    expect(await store.get(document.key)).toEqual(expect.objectContaining({ version: 1, document }));
  });

  it('every save is a new immutable version; the older one stays as it was', async () => {
    const document = challengeRewards({ key: uniqueKey('cbr'), priority: nextPriority() });
    await store.save({ document, author: AUTHOR, changeNote: 'Launch' });
    clock.advance(60_000);
    const edited = { ...document, name: 'Challenge Based Rewards (students)' };
    const v2 = await store.save({ document: edited, author: 'operator:bob@example.com', changeNote: 'Rename', expectedVersion: 1 });
    expect(v2).toEqual(expect.objectContaining({ version: 2, author: 'operator:bob@example.com', changeNote: 'Rename', createdAt: new Date(T0.getTime() + 60_000) }));
    expect((await store.get(document.key)).version).toBe(2);
    expect((await store.getVersion(document.key, 1)).document).toEqual(document);
    await expect(db.sequelize.query(`UPDATE program_versions SET change_note = 'x' WHERE program_key = '${document.key}'`)).rejects.toThrow(/immutable/);
    await expect(db.sequelize.query(`DELETE FROM program_versions WHERE program_key = '${document.key}'`)).rejects.toThrow(/immutable/);
  });

  it('an invalid program stores nothing and reports every problem with its code and path', async () => {
    const before = await counts(db.sequelize);
    const document = {
      ...kiloPass({ key: uniqueKey('bad') }),
      schedule: { startAt: '2027-01-01T00:00:00Z', frozenAt: '2026-01-01T00:00:00Z', endAt: '2028-01-01T00:00:00Z' },
      eligibility: [{ subject: 'payment.amount', operator: 'gt', value: { amountMinor: 0, currency: 'USD' } }, { subject: 'referee.shoe_size', operator: 'eq', value: 1 }],
    };
    const error = await failure(store.save({ document, author: AUTHOR, changeNote: 'Broken' }));
    expect(error.code).toBe('program_invalid');
    expect(error.kind).toBe('rule_violation');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'schedule_out_of_order' }),
        expect.objectContaining({ code: 'fact_phase_invalid', path: 'eligibility[0].subject' }),
        expect.objectContaining({ code: 'subject_unknown', path: 'eligibility[1].subject' }),
      ]),
    );
    expect(await counts(db.sequelize)).toEqual(before);
  });

  it('a program whose product has no catalog is product_unknown and stores nothing', async () => {
    const before = await counts(db.sequelize);
    const error = await failure(store.save({ document: kiloPass({ key: uniqueKey('x'), product: 'kilo_boost' }), author: AUTHOR, changeNote: 'x' }));
    expect(error.code).toBe('product_unknown');
    expect(error.issues).toEqual([expect.objectContaining({ code: 'product_unknown', path: 'product' })]);
    expect(await counts(db.sequelize)).toEqual(before);
  });

  it('a malformed call (no author, blank note, negative expected version) is input_invalid with paths', async () => {
    const error = await failure(store.save({ document: kiloPass(), author: '', changeNote: ' ', expectedVersion: -1 } as never));
    expect(error.code).toBe('input_invalid');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['author', 'changeNote', 'expectedVersion']);
  });

  it('saving with a stale expected version is version_conflict and stores nothing', async () => {
    const document = kiloPass({ key: uniqueKey('occ'), status: 'draft' });
    await store.save({ document, author: AUTHOR, changeNote: 'v1', expectedVersion: 0 });
    await store.save({ document: { ...document, name: 'second' }, author: AUTHOR, changeNote: 'v2', expectedVersion: 1 });
    const before = await counts(db.sequelize);
    const stale = await failure(store.save({ document: { ...document, name: 'third' }, author: AUTHOR, changeNote: 'v3', expectedVersion: 1 }));
    expect(stale.code).toBe('version_conflict');
    expect(stale.details).toEqual(expect.objectContaining({ expectedVersion: 1, currentVersion: 2 }));
    const recreate = await failure(store.save({ document, author: AUTHOR, changeNote: 'again', expectedVersion: 0 }));
    expect(recreate.code).toBe('version_conflict');
    expect(await counts(db.sequelize)).toEqual(before);
  });

  it('two concurrent saves from the same version: exactly one wins, the other is version_conflict', async () => {
    const document = kiloPass({ key: uniqueKey('race'), status: 'draft' });
    await store.save({ document, author: AUTHOR, changeNote: 'v1' });
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((name) => store.save({ document: { ...document, name }, author: AUTHOR, changeNote: name, expectedVersion: 1 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => (r.reason as ProgramError).code)).toEqual(['version_conflict', 'version_conflict']);
    expect((await store.listVersions(document.key)).map((v) => v.version)).toEqual([2, 1]);
  });

  it('concurrent unconditional first saves of one key both land, as versions 1 and 2', async () => {
    const document = kiloPass({ key: uniqueKey('race-new'), status: 'draft' });
    await Promise.all(['a', 'b'].map((name) => store.save({ document: { ...document, name }, author: AUTHOR, changeNote: name })));
    expect((await store.listVersions(document.key)).map((v) => v.version)).toEqual([2, 1]);
  });

  it('a second ACTIVE program of the same product at the same priority is priority_conflict, naming the first', async () => {
    const p = nextPriority();
    const first = kiloPass({ key: uniqueKey('prio'), priority: p });
    await store.save({ document: first, author: AUTHOR, changeNote: 'first' });
    const before = await counts(db.sequelize);
    const second = kiloPass({ key: uniqueKey('prio'), priority: p });
    const error = await failure(store.save({ document: second, author: AUTHOR, changeNote: 'second' }));
    expect(error.code).toBe('priority_conflict');
    expect(error.details).toEqual(expect.objectContaining({ product: 'kilo_pass', priority: p, conflictingProgramKey: first.key }));
    expect(error.issues).toEqual([expect.objectContaining({ path: 'priority' })]);
    expect(await counts(db.sequelize)).toEqual(before);

    // Not a conflict: the same priority while paused or in draft, or in another product.
    await store.save({ document: { ...second, status: 'paused' }, author: AUTHOR, changeNote: 'paused' });
    await store.save({ document: challengeRewards({ key: uniqueKey('prio'), priority: p }), author: AUTHOR, changeNote: 'other product' });
    // Activating the paused one is the conflict again; pausing the first frees the priority.
    expect((await failure(store.save({ document: second, author: AUTHOR, changeNote: 'activate' }))).code).toBe('priority_conflict');
    await store.save({ document: { ...first, status: 'paused' }, author: AUTHOR, changeNote: 'pause first' });
    expect((await store.save({ document: second, author: AUTHOR, changeNote: 'activate' })).status).toBe('active');
  });

  it('two ACTIVE programs saved at the same time at one priority: the database lets only one in', async () => {
    const p = nextPriority();
    const documents = [1, 2, 3].map(() => kiloPass({ key: uniqueKey('prio-race'), priority: p }));
    const results = await Promise.allSettled(documents.map((document) => store.save({ document, author: AUTHOR, changeNote: 'race' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as ProgramError).code);
    expect(codes).toEqual(['priority_conflict', 'priority_conflict']);
    const active = (await store.list({ product: 'kilo_pass', status: 'active' })).filter((v) => v.priority === p);
    expect(active).toHaveLength(1);
  });

  it('a retried save (same document, author and note) returns the stored version instead of a duplicate', async () => {
    const document = kiloPass({ key: uniqueKey('retry'), status: 'draft' });
    const first = await store.save({ document, author: AUTHOR, changeNote: 'v1', expectedVersion: 0 });
    const retried = await store.save({ document, author: AUTHOR, changeNote: 'v1', expectedVersion: 0 });
    expect(retried).toEqual({ ...first, replayed: true });
    const unconditional = await store.save({ document, author: AUTHOR, changeNote: 'v1' });
    expect(unconditional.version).toBe(1);
    expect(unconditional.replayed).toBe(true);
    // Same document with another note is a deliberate new version.
    expect((await store.save({ document, author: AUTHOR, changeNote: 'touch' })).version).toBe(2);
  });

  it('a program never moves to another product', async () => {
    const document = kiloPass({ key: uniqueKey('move'), status: 'draft' });
    await store.save({ document, author: AUTHOR, changeNote: 'v1' });
    const moved = { ...challengeRewards({ status: 'draft' }), key: document.key };
    const error = await failure(store.save({ document: moved, author: AUTHOR, changeNote: 'move' }));
    expect(error.code).toBe('program_product_changed');
    expect((await store.get(document.key)).version).toBe(1);
  });
});
