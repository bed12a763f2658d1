import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { LIST_REFERRALS_MAX_LIMIT } from './attribution.schemas';
import { type Referral } from './referrals';
import { AUTHOR, buildHarness, challengeRewards, defined, failure, type Harness, kiloPass, uid } from './testing/attribution-fixtures';

// After the Challenge program's frozenAt (2025-12-01): a tutoring referral finds no program there.
const T0 = '2026-01-05T10:00:00.000Z';
const KILO = 'kilo-pass-referrals';
const CHALLENGE = 'challenge-based-rewards-student';

describe('listReferrals', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  /** Decided in this order: ids ascend. */
  let decided: { qualified1: Referral; unknownReferrer: Referral; noProgram: Referral; selfReferral: Referral; qualified2: Referral };

  async function signupThrough(product: 'kilo_pass' | 'tutoring', code: string, userId = uid('user'), programKey?: string): Promise<Referral> {
    const anonymousId = uid('anon');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product, referralCode: code, ...(programKey ? { programKey } : {}) });
    h.clock.advance(60_000);
    const { referral } = await h.attribution.recordSignup({ product, userId, anonymousId, email: `${userId}@example.com` });
    return defined(referral, 'referral');
  }

  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    await h.programs.save({ document: challengeRewards(), author: AUTHOR, changeNote: 'Launch' });
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'JANE10', userId: 'jane' });
    await h.attribution.registerReferralCode({ programKey: CHALLENGE, code: 'ADV-OK', userId: 'ok' });
    h.people.set('ok', { numericId: 501, toggles: ['student_challenge_2025'] });
    decided = {
      qualified1: await signupThrough('kilo_pass', 'JANE10'),
      // The touch names the program (a code nobody holds resolves no program on its own).
      unknownReferrer: await signupThrough('kilo_pass', 'NOBODY', uid('user'), KILO),
      noProgram: await signupThrough('tutoring', 'ADV-OK'),
      selfReferral: await signupThrough('kilo_pass', 'JANE10', 'jane'),
      qualified2: await signupThrough('kilo_pass', 'JANE10'),
    };
  });

  it('the decided referrals are what the scenario says (guards the other tests)', () => {
    expect(decided.qualified1).toMatchObject({ status: 'qualified', programKey: KILO });
    expect(decided.unknownReferrer).toMatchObject({ status: 'disqualified', reasons: ['referrer_unknown'] });
    expect(decided.noProgram).toMatchObject({ status: 'no_program', reasons: ['no_program_matched'], product: 'tutoring' });
    expect(decided.selfReferral).toMatchObject({ status: 'disqualified', reasons: ['self_referral'] });
    expect(decided.qualified2).toMatchObject({ status: 'qualified', programKey: KILO });
  });

  it('lists every referral newest first, each exactly as getReferral returns it (reasons, pinned version, selection)', async () => {
    const { qualified1, unknownReferrer, noProgram, selfReferral, qualified2 } = decided;
    const listed = await h.attribution.listReferrals();
    expect(listed).toEqual([qualified2, selfReferral, noProgram, unknownReferrer, qualified1]);
    for (const referral of listed) expect(await h.attribution.getReferral(referral.id)).toEqual(referral);
  });

  it('filters by one status or several: the referrals decided without a program carry their reasons', async () => {
    const { unknownReferrer, noProgram, selfReferral } = decided;
    expect(await h.attribution.listReferrals({ status: 'disqualified' })).toEqual([selfReferral, unknownReferrer]);
    const withoutProgram = await h.attribution.listReferrals({ status: ['disqualified', 'no_program'] });
    expect(withoutProgram.map((r) => [r.id, r.status, r.reasons])).toEqual([
      [selfReferral.id, 'disqualified', ['self_referral']],
      [noProgram.id, 'no_program', ['no_program_matched']],
      [unknownReferrer.id, 'disqualified', ['referrer_unknown']],
    ]);
  });

  it('filters by product, pinned program, referrer and referee, and combines filters with AND', async () => {
    const { qualified1, unknownReferrer, noProgram, selfReferral, qualified2 } = decided;
    expect(await h.attribution.listReferrals({ product: 'tutoring' })).toEqual([noProgram]);
    expect(await h.attribution.listReferrals({ programKey: KILO })).toEqual([qualified2, qualified1]);
    expect(await h.attribution.listReferrals({ referrerUserId: 'jane' })).toEqual([qualified2, selfReferral, qualified1]);
    expect(await h.attribution.listReferrals({ refereeUserId: unknownReferrer.refereeUserId })).toEqual([unknownReferrer]);
    expect(await h.attribution.listReferrals({ product: 'kilo_pass', status: 'disqualified', referrerUserId: 'jane' })).toEqual([selfReferral]);
    expect(await h.attribution.listReferrals({ programKey: CHALLENGE })).toEqual([]);
  });

  it('pages with limit and beforeId: consecutive pages neither overlap nor skip, in the same order as one call', async () => {
    const all = await h.attribution.listReferrals();
    const pages: Referral[][] = [];
    let beforeId: string | undefined;
    for (;;) {
      const page = await h.attribution.listReferrals({ limit: 2, ...(beforeId ? { beforeId } : {}) });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(2);
      pages.push(page);
      beforeId = defined(page.at(-1)).id;
    }
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(all);
  });

  it.each([
    ['a limit over the maximum', { limit: LIST_REFERRALS_MAX_LIMIT + 1 }, { code: 'field_invalid', path: 'limit' }],
    ['a limit of 0', { limit: 0 }, { code: 'field_invalid', path: 'limit' }],
    ['a fractional limit', { limit: 1.5 }, { code: 'field_invalid', path: 'limit' }],
    ['an unknown status', { status: 'pending' }, { code: 'field_invalid', path: 'status' }],
    ['an empty status list', { status: [] }, { code: 'field_invalid', path: 'status' }],
    ['a malformed cursor', { beforeId: 'abc' }, { code: 'field_invalid', path: 'beforeId' }],
    ['a product key in another convention', { product: 'kilo-pass' }, { path: 'product' }],
    ['an unknown field', { reason: 'self_referral' }, { code: 'field_unknown', path: 'reason' }],
  ])('refuses %s as input_invalid naming the field', async (_case, filter, issue) => {
    const error = await failure(h.attribution.listReferrals(filter as never));
    expect(error.code).toBe('input_invalid');
    expect(error.issues).toEqual([expect.objectContaining(issue)]);
  });

  it('accepts the maximum limit', async () => {
    expect(await h.attribution.listReferrals({ limit: LIST_REFERRALS_MAX_LIMIT })).toHaveLength(5);
  });
});
