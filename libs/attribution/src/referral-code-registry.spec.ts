import { useTestDatabase } from '@referrals/db/testing';
import { createProgramStore, programsMigrations } from '@referrals/programs';
import { createReferralCodeRegistry } from './attribution-service';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, defined, failure, kiloPass, productCatalogs } from './testing/attribution-fixtures';

const T0 = '2026-01-05T10:00:00.000Z';
const KILO = 'kilo-pass-referrals';

/** The codes-only service (what the worker uses): no email secret, no eligibility facts, same tables and rules. */
describe('createReferralCodeRegistry', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);

  beforeAll(async () => {
    await createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs() }).save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
  });

  const registry = () => createReferralCodeRegistry({ sequelize: db.sequelize, programs: createProgramStore({ sequelize: db.sequelize, catalogs: productCatalogs() }) });

  it('a code it registers names its referrer when the full service decides a signup', async () => {
    await registry().registerReferralCode({ programKey: KILO, code: 'IMPACT-ADA-1', userId: 'ada' });
    const h = buildHarness(db.sequelize, T0);
    await h.attribution.captureTouch({ kind: 'referral', anonymousId: 'anon-1', product: 'kilo_pass', programKey: KILO, saasquatchCookie: 'opaque', metadata: { rsCode: 'IMPACT-ADA-1' } });
    const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: 'bob', anonymousId: 'anon-1', email: 'bob@example.com' });
    expect(defined(referral)).toMatchObject({ referrerUserId: 'ada', referralCode: 'IMPACT-ADA-1', status: 'qualified' });
  });

  it('registering the same code for the same user again answers the stored code (a retry is harmless)', async () => {
    const first = await registry().registerReferralCode({ programKey: KILO, code: 'IMPACT-ADA-2', userId: 'ada' });
    expect(await registry().registerReferralCode({ programKey: KILO, code: 'IMPACT-ADA-2', userId: 'ada' })).toEqual(first);
  });

  it('refuses a code another user owns in the program (referral_code_taken, not retryable) and an unknown program', async () => {
    await registry().registerReferralCode({ programKey: KILO, code: 'NATIVE-1', userId: 'carol' });
    const taken = await failure(registry().registerReferralCode({ programKey: KILO, code: 'NATIVE-1', userId: 'ada' }));
    expect(taken).toMatchObject({ code: 'referral_code_taken', retryable: false });
    expect((await failure(registry().registerReferralCode({ programKey: 'no-such-program', code: 'X', userId: 'ada' }))).code).toBe('program_unknown');
  });
});
