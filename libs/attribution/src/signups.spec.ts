import { QueryTypes } from 'sequelize';
import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, challengeRewards, DAY_MS, defined, failure, type Harness, kiloPass, tableCounts, uid } from './testing/attribution-fixtures';

const T0 = '2026-01-05T10:00:00.000Z';
const KILO = 'kilo-pass-referrals';

describe('recordSignup', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;

  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    await h.programs.save({ document: kiloPass({ key: 'kilo-pass-partners', name: 'Partners', priority: 20, status: 'draft' }), author: AUTHOR, changeNote: 'Draft' });
    await h.programs.save({ document: challengeRewards(), author: AUTHOR, changeNote: 'Launch' });
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'JANE10', userId: 'jane' });
  });
  beforeEach(() => h.clock.set(T0));

  /** A visitor who followed `code` anonymously, then signs up ten minutes later. */
  async function referredSignup(code: string, options: { programKey?: string; userId?: string; email?: string } = {}) {
    const anonymousId = uid('anon');
    const userId = options.userId ?? uid('user');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: code, ...(options.programKey ? { programKey: options.programKey } : {}) });
    h.clock.advance(10 * 60_000);
    const result = await h.attribution.recordSignup({ product: 'kilo_pass', userId, anonymousId, email: options.email ?? `${userId}@example.com` });
    return { anonymousId, userId, result };
  }

  it('a brand-new account with a valid referral touch gets a referral: referrer from the code, current program version pinned', async () => {
    h.factsRequests.length = 0;
    const { userId, result } = await referredSignup('JANE10');
    expect(result).toEqual({
      outcome: 'referral_recorded',
      replayed: false,
      associatedTouches: 1,
      signedUpAt: new Date(new Date(T0).getTime() + 600_000),
      // The touch the referral was decided from (the native code resolved its program).
      decidedFrom: expect.objectContaining({ kind: 'referral', referralCode: 'JANE10', programKey: KILO, accepted: true }),
      referral: expect.objectContaining({
        product: 'kilo_pass',
        refereeUserId: userId,
        referrerUserId: 'jane',
        referralCode: 'JANE10',
        status: 'qualified',
        reasons: [],
        programKey: KILO,
        programVersion: 1,
        selection: [expect.objectContaining({ programKey: KILO, version: 1, priority: 10, code: 'eligible' })],
      }),
    });
    expect(h.factsRequests).toEqual([
      expect.objectContaining({ product: 'kilo_pass', referrerUserId: 'jane', refereeUserId: userId, referralCode: 'JANE10', isNewAccount: true }),
    ]);
    expect(await h.attribution.getReferral(defined(result.referral).id)).toEqual(result.referral);
    expect(await h.attribution.findReferral({ product: 'kilo_pass', refereeUserId: userId })).toEqual(result.referral);
  });

  it('a _saasquatch touch names its referrer through the rsCode link parameter', async () => {
    const anonymousId = uid('anon');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', programKey: KILO, saasquatchCookie: 'opaque-cookie', metadata: { rsCode: 'JANE10' } });
    const { referral, decidedFrom } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'x@example.com' });
    expect(referral).toMatchObject({ status: 'qualified', referrerUserId: 'jane', referralCode: 'JANE10' });
    expect(decidedFrom).toMatchObject({ saasquatchCookie: 'opaque-cookie', programKey: KILO });
  });

  it('[28] [35] metadata alone, a _saasquatch value without a program key, or a native code no program holds decide no referral', async () => {
    const anonymousId = uid('anon');
    const rsCodeOnly = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', programKey: KILO, metadata: { rsCode: 'JANE10', rsShareMedium: 'EMAIL' } });
    const cookieWithoutProgram = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', saasquatchCookie: 'opaque', metadata: { rsCode: 'JANE10' } });
    const codeOfNobody = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'NOBODY' });
    expect([rsCodeOnly, cookieWithoutProgram, codeOfNobody].map((r) => [r.touch.status, r.touch.accepted])).toEqual([
      ['value_missing', false],
      ['program_unknown', false],
      ['program_unknown', false],
    ]);
    // Kept for diagnostics: the metadata is stored as sent.
    expect(rsCodeOnly.touch.metadata).toEqual({ rsCode: 'JANE10', rsShareMedium: 'EMAIL' });
    const result = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'm@example.com' });
    expect(result).toMatchObject({ outcome: 'no_referral_touch', referral: null, associatedTouches: 3, decidedFrom: null });
  });

  it('a replayed signup is a no-op returning the original referral', async () => {
    const { userId, anonymousId, result } = await referredSignup('JANE10');
    const before = await tableCounts(db.sequelize);
    h.clock.advance(DAY_MS);
    const replay = await h.attribution.recordSignup({ product: 'kilo_pass', userId, anonymousId, email: `${userId}@example.com` });
    expect(replay).toEqual({ ...result, replayed: true, associatedTouches: 0, decidedFrom: null });
    expect(await tableCounts(db.sequelize)).toEqual(before);
  });

  it('concurrent first signups of one user record one referral', async () => {
    const anonymousId = uid('anon');
    const userId = uid('user');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => h.attribution.recordSignup({ product: 'kilo_pass', userId, anonymousId, email: 'c@example.com' })),
    );
    expect(new Set(results.map((r) => r.referral?.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it('the oldest valid referral touch decides the referrer', async () => {
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'OMAR5', userId: 'omar' });
    const anonymousId = uid('anon');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'OMAR5' });
    h.clock.advance(DAY_MS);
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
    const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'o@example.com' });
    expect(referral).toMatchObject({ referrerUserId: 'omar', status: 'qualified' });
  });

  describe('guards, each recorded as a disqualification reason', () => {
    it('self-referral: the referrer and the referee are the same user', async () => {
      await h.attribution.registerReferralCode({ programKey: KILO, code: 'SELF1', userId: 'selfie' });
      const { result } = await referredSignup('SELF1', { userId: 'selfie' });
      expect(result.referral).toMatchObject({ status: 'disqualified', reasons: ['self_referral'], referrerUserId: 'selfie', programKey: null, programVersion: null, selection: [] });
    });

    it('existing account: the user existed before the touch (an old user following a link)', async () => {
      const userId = uid('old-user');
      await h.attribution.captureTouch({ kind: 'referral', userId, product: 'kilo_pass', referralCode: 'JANE10' });
      const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId, email: 'old@example.com', signedUpAt: new Date(new Date(T0).getTime() - 365 * DAY_MS) });
      expect(referral).toMatchObject({ status: 'disqualified', reasons: ['signup_before_touch'], referrerUserId: 'jane' });
    });

    it('a signup time within the clock skew is accepted as sent', async () => {
      const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), email: 'skew@example.com', signedUpAt: '2026-01-05T10:05:00.000Z' });
      expect(referral).toBeNull();
    });

    it('an existing user following their own link fails both guards', async () => {
      await h.attribution.registerReferralCode({ programKey: KILO, code: 'SAM1', userId: 'sam' });
      await h.attribution.captureTouch({ kind: 'referral', userId: 'sam', product: 'kilo_pass', referralCode: 'SAM1' });
      const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: 'sam', email: 'sam@example.com', signedUpAt: '2025-06-01T00:00:00Z' });
      expect(referral?.reasons).toEqual(['self_referral', 'signup_before_touch']);
    });

    it('previously deleted account: the normalized email matches a tombstone digest; no plain email is kept', async () => {
      await h.attribution.recordAccountDeletion({ email: 'Jane.Doe+old@GoogleMail.com' });
      await h.attribution.recordAccountDeletion({ email: 'jane.doe@gmail.com' }); // idempotent: same mailbox
      const { result } = await referredSignup('JANE10', { email: ' janedoe@gmail.com ' });
      expect(result.referral).toMatchObject({ status: 'disqualified', reasons: ['deleted_account'] });
      const stored = await db.sequelize.query<{ email_hash: string }>('SELECT email_hash FROM attribution_deleted_accounts', { type: QueryTypes.SELECT });
      expect(stored).toHaveLength(1);
      expect(stored[0]?.email_hash).toMatch(/^[0-9a-f]{64}$/);
      const everything = JSON.stringify(await db.sequelize.query('SELECT * FROM attribution_signups', { type: QueryTypes.SELECT }));
      expect(everything).not.toMatch(/@/);
    });

    it('unknown referrer: a code nobody owns in the program the touch names, or a _saasquatch value with no code at all', async () => {
      expect((await referredSignup('NOBODY', { programKey: KILO })).result.referral).toMatchObject({ status: 'disqualified', reasons: ['referrer_unknown'], referrerUserId: null });
      const anonymousId = uid('anon');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', programKey: KILO, saasquatchCookie: 'opaque' });
      const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'n@example.com' });
      expect(referral).toMatchObject({ status: 'disqualified', reasons: ['referrer_unknown'], referralCode: null });
    });

    it('blocked referrer: referrals created while blocked are disqualified; unblocking restores it for later ones', async () => {
      await h.attribution.registerReferralCode({ programKey: KILO, code: 'BEN7', userId: 'ben' });
      expect(await h.attribution.blockReferrer({ programKey: KILO, userId: 'ben', reason: 'fraud review' })).toEqual({ codes: 1 });
      expect((await referredSignup('BEN7')).result.referral).toMatchObject({ status: 'disqualified', reasons: ['referrer_blocked'], referrerUserId: 'ben' });
      await h.attribution.unblockReferrer({ programKey: KILO, userId: 'ben' });
      expect((await referredSignup('BEN7')).result.referral).toMatchObject({ status: 'qualified' });
    });
  });

  describe('referral codes are per program', () => {
    beforeAll(async () => {
      await h.attribution.registerReferralCode({ programKey: KILO, code: 'SHARED', userId: 'alice' });
      await h.attribution.registerReferralCode({ programKey: 'kilo-pass-partners', code: 'SHARED', userId: 'bob' });
    });

    it('the same code in two programs resolves to the owner in the program the touch targeted', async () => {
      expect((await referredSignup('SHARED', { programKey: KILO })).result.referral?.referrerUserId).toBe('alice');
      expect((await referredSignup('SHARED', { programKey: 'kilo-pass-partners' })).result.referral?.referrerUserId).toBe('bob');
    });

    it('without a targeted program, a code owned by different users cannot be decided', async () => {
      expect((await referredSignup('SHARED')).result.referral).toMatchObject({ status: 'disqualified', reasons: ['referrer_ambiguous'], referrerUserId: null });
    });

    it('registering a code again is idempotent; for another user it is referral_code_taken', async () => {
      expect(await h.attribution.registerReferralCode({ programKey: KILO, code: 'SHARED', userId: 'alice' })).toMatchObject({ userId: 'alice' });
      expect((await failure(h.attribution.registerReferralCode({ programKey: KILO, code: 'SHARED', userId: 'mallory' }))).code).toBe('referral_code_taken');
      expect((await failure(h.attribution.registerReferralCode({ programKey: 'no-such-program', code: 'X', userId: 'u' }))).code).toBe('program_unknown');
    });
  });

  describe('which touches count', () => {
    it('no referral touch: no referral; the touches found on the first authenticated request create it then', async () => {
      const anonymousId = uid('anon');
      const userId = uid('user');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
      h.clock.advance(60_000);
      const atSignup = await h.attribution.recordSignup({ product: 'kilo_pass', userId, email: 'late@example.com' });
      expect(atSignup).toMatchObject({ outcome: 'no_referral_touch', referral: null, replayed: false });
      expect(await h.attribution.recordSignup({ product: 'kilo_pass', userId, email: 'late@example.com' })).toMatchObject({ outcome: 'no_referral_touch', replayed: true });
      h.clock.advance(60_000);
      const firstRequest = await h.attribution.recordSignup({ product: 'kilo_pass', userId, anonymousId, email: 'late@example.com' });
      expect(firstRequest).toMatchObject({ outcome: 'referral_recorded', associatedTouches: 1, signedUpAt: atSignup.signedUpAt });
      expect(firstRequest.referral).toMatchObject({ status: 'qualified', signedUpAt: atSignup.signedUpAt });
    });

    it('a touch for another product does not refer a signup to this one', async () => {
      const anonymousId = uid('anon');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'tutoring', referralCode: 'JANE10' });
      const result = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'p@example.com' });
      expect(result).toMatchObject({ outcome: 'no_referral_touch', referral: null, associatedTouches: 1 });
    });

    it('touches that are not accepted (too long, unresolved program) or expired at signup do not count', async () => {
      const anonymousId = uid('anon');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10', saasquatchCookie: 'x'.repeat(513) });
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', programKey: 'nope', referralCode: 'JANE10' });
      await h.attribution.captureTouch({ kind: 'affiliate', anonymousId, product: 'kilo_pass', clickId: 'c' });
      h.clock.advance(60_000);
      const expiring = uid('anon');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId: expiring, product: 'kilo_pass', referralCode: 'JANE10' });
      h.clock.advance(30 * DAY_MS);
      const result = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'q@example.com' });
      expect(result).toMatchObject({ outcome: 'no_referral_touch', associatedTouches: 3 });
      const expired = await h.attribution.recordSignup({ product: 'kilo_pass', userId: uid('user'), anonymousId: expiring, email: 'r@example.com' });
      expect(expired).toMatchObject({ outcome: 'no_referral_touch', associatedTouches: 1 });
    });
  });

  describe('bad input: a typed error with a code, and nothing changes (not even touch association)', () => {
    it.each([
      ['an unknown product', { product: 'kilo_boost' }, 'product_unknown', { code: 'product_unknown', path: 'product' }],
      ['a malformed signup time', { signedUpAt: '2026-01-05 10:00' }, 'input_invalid', { code: 'time_invalid', path: 'signedUpAt' }],
      ['an impossible signup time', { signedUpAt: new Date('nope') }, 'input_invalid', { code: 'time_invalid', path: 'signedUpAt' }],
      ['an oversized user id', { userId: 'u'.repeat(201) }, 'input_invalid', { code: 'field_too_long', path: 'userId' }],
      ['an oversized email', { email: `${'e'.repeat(320)}@x.io` }, 'input_invalid', { code: 'field_too_long', path: 'email' }],
      ['a missing email', { email: undefined }, 'input_invalid', { code: 'field_required', path: 'email' }],
      // T0 is the harness clock: 5 minutes of skew are allowed, not one millisecond more.
      ['a signup time past the clock skew', { signedUpAt: '2026-01-05T10:05:00.001Z' }, 'time_in_future', { code: 'time_in_future', path: 'signedUpAt' }],
      ['a signup time before 2000', { signedUpAt: '1999-12-31T23:59:59Z' }, 'time_too_old', { code: 'time_too_old', path: 'signedUpAt' }],
    ])('%s', async (_case, change, code, issue) => {
      const anonymousId = uid('anon');
      await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
      const before = await tableCounts(db.sequelize);
      const input = { product: 'kilo_pass', userId: uid('user'), anonymousId, email: 'b@example.com', ...change };
      const error = await failure(h.attribution.recordSignup(input as never));
      expect(error.code).toBe(code);
      expect(error.issues).toEqual([expect.objectContaining(issue)]);
      expect(await tableCounts(db.sequelize)).toEqual(before);
      expect(await h.attribution.listTouches({ anonymousId })).toEqual([expect.objectContaining({ userId: null })]);
    });
  });
});
