import { useTestDatabase } from '@referrals/db/testing';
import { createProgramStore, type ProgramStore } from './program-store';
import { isProgramError, type ProgramError } from './programs.errors';
import { programsMigrations } from './programs.migrations';
import { isProgramRetired } from './program-history';
import { AUTHOR, kiloPass, manualClock, productCatalogs, uniqueKey } from './testing/program-fixtures';

async function failure(promise: Promise<unknown>): Promise<ProgramError> {
  try {
    await promise;
  } catch (error) {
    if (isProgramError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProgramError, but the call succeeded');
}

describe('retiring a program (Kilo 69a-69g)', () => {
  const db = useTestDatabase([programsMigrations]);
  const clock = manualClock();
  let store: ProgramStore;
  beforeAll(() => {
    store = createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs(), clock: clock.now });
  });
  const retire = (key: string, author = 'operator:jane', reason = 'closed') =>
    db.sequelize.transaction((t) => store.retire({ key, author, reason }, { transaction: t }));

  it('stores a retired version (who, when, why) that becomes current; retiring again writes nothing', async () => {
    const document = kiloPass({ key: uniqueKey('claw'), priority: 4001 });
    await store.save({ document, author: AUTHOR, changeNote: 'Launch' });
    const retired = await retire(document.key);
    expect(retired).toMatchObject({ replayed: false, version: { key: document.key, version: 2, status: 'retired', author: 'operator:jane', changeNote: 'retired: closed' } });
    expect(retired.version.document).toEqual({ ...document, status: 'retired' });
    expect(await isProgramRetired(db.sequelize, document.key)).toBe(true);
    expect(await retire(document.key, 'operator:other', 'again')).toMatchObject({ replayed: true, version: { version: 2, author: 'operator:jane' } });
    expect((await store.listVersions(document.key)).map((v) => [v.version, v.status])).toEqual([
      [2, 'retired'],
      [1, 'active'],
    ]);
  });

  it('a retired program takes no new version (program_retired), and no save can retire a program', async () => {
    const document = kiloPass({ key: uniqueKey('claw'), priority: 4002 });
    await store.save({ document, author: AUTHOR, changeNote: 'Launch' });
    const bySave = await failure(store.save({ document: { ...document, status: 'retired' }, author: AUTHOR, changeNote: 'retire by save' }));
    expect(bySave).toMatchObject({ code: 'input_invalid', issues: [{ path: 'document.status' }] });
    await retire(document.key);
    const revived = await failure(store.save({ document, author: AUTHOR, changeNote: 'revive', expectedVersion: 2 }));
    expect(revived).toMatchObject({ code: 'program_retired', issues: [{ path: 'document.status' }], details: { programKey: document.key } });
    expect((await store.get(document.key)).version).toBe(2);
  });

  it('retiring an unknown program is program_not_found', async () => {
    expect(await failure(retire(uniqueKey('none')))).toMatchObject({ code: 'program_not_found' });
  });
});
