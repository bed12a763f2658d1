import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, type Harness, kiloPass, uid, withObservedStatements } from './testing/attribution-fixtures';
import { createTouchProgramLookup } from './touch-program-lookup';

const T0 = '2026-01-05T10:00:00.000Z';
const PROGRAM_READ = /FROM unnest\(\$1::text\[\]\) WITH ORDINALITY AS k\(key, n\) JOIN programs/;
const CODE_READ = /JOIN attribution_referral_codes c ON c\.code = l\.code/;

describe('touch capture program reads, grouped (touch-program-lookup)', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  const live = 'lookup-live';
  const second = 'lookup-second';
  const retired = 'lookup-retired';

  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    for (const [i, key] of [live, second, retired].entries()) await h.programs.save({ document: kiloPass({ key, priority: 10 + i }), author: AUTHOR, changeNote: 'Launch' });
    await db.sequelize.transaction((transaction) => h.programs.retire({ key: retired, author: AUTHOR, reason: 'closed' }, { transaction }));
    await h.attribution.registerReferralCode({ programKey: live, code: 'SHARED', userId: 'referrer-a' });
    await h.attribution.registerReferralCode({ programKey: second, code: 'SHARED', userId: 'referrer-b' });
    await h.attribution.registerReferralCode({ programKey: live, code: 'ONLYLIVE', userId: 'referrer-c' });
  });

  it('[35] answers each lookup of one batch with its own program: product, retired or not, null when unknown', async () => {
    const lookup = createTouchProgramLookup(db.sequelize);
    const { result, statements } = await withObservedStatements(db.sequelize, () =>
      Promise.all([lookup.program(retired), lookup.program('no-such-program'), lookup.program(live), lookup.program(live)]),
    );
    expect(result).toEqual([{ product: 'kilo_pass', retired: true }, null, { product: 'kilo_pass', retired: false }, { product: 'kilo_pass', retired: false }]);
    expect(statements.filter((s) => PROGRAM_READ.test(s))).toHaveLength(1);
  });

  it('[35] resolves native codes of one batch together: every program of the product holding the code, sorted; none for another product', async () => {
    const lookup = createTouchProgramLookup(db.sequelize);
    const { result, statements } = await withObservedStatements(db.sequelize, () =>
      Promise.all([
        lookup.programsOfCode('kilo_pass', 'SHARED'),
        lookup.programsOfCode('kilo_pass', 'ONLYLIVE'),
        lookup.programsOfCode('kilo_pass', 'NOBODY'),
        lookup.programsOfCode('tutoring', 'SHARED'),
      ]),
    );
    expect(result).toEqual([[live, second].sort(), [live], [], []]);
    expect(statements.filter((s) => CODE_READ.test(s))).toHaveLength(1);
  });

  it('[35] 20 concurrent touches naming their program read it in one SELECT, not one each, and are stored accepted', async () => {
    const prefix = uid('named');
    const { result, statements } = await withObservedStatements(db.sequelize, () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.attribution.captureTouch({ kind: 'referral', anonymousId: `${prefix}-${i}`, product: 'kilo_pass', programKey: live, referralCode: 'ONLYLIVE' }),
        ),
      ),
    );
    expect(result.map((r) => r.touch.status)).toEqual(Array.from({ length: 20 }, () => 'accepted'));
    expect(statements.filter((s) => PROGRAM_READ.test(s))).toHaveLength(1);
  });

  it('[69a] a touch naming a retired program is still refused when it arrives in a batch with touches that are accepted', async () => {
    const prefix = uid('mixed');
    const outcomes = await Promise.allSettled([
      h.attribution.captureTouch({ kind: 'referral', anonymousId: `${prefix}-0`, product: 'kilo_pass', programKey: live, referralCode: 'ONLYLIVE' }),
      h.attribution.captureTouch({ kind: 'referral', anonymousId: `${prefix}-1`, product: 'kilo_pass', programKey: retired, referralCode: 'ONLYLIVE' }),
      h.attribution.captureTouch({ kind: 'referral', anonymousId: `${prefix}-2`, product: 'kilo_pass', referralCode: 'SHARED' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ status: 'rejected', reason: { code: 'program_retired' } });
    // A code two programs hold is resolvable, but names no single program on the touch.
    expect(outcomes[2]).toMatchObject({ status: 'fulfilled', value: { touch: { programKey: null } } });
  });
});
