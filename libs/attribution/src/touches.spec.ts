import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, challengeRewards, failure, type Harness, kiloPass, tableCounts, uid } from './testing/attribution-fixtures';

const T0 = '2026-01-05T10:00:00.000Z';

describe('captureTouch', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    await h.programs.save({ document: challengeRewards(), author: AUTHOR, changeNote: 'Launch' });
  });
  beforeEach(() => h.clock.set(T0));

  it('captures a referral touch before signup (anonymous id) with its metadata, sanitized path and server UTC time', async () => {
    const anonymousId = uid('anon');
    const { touch, replayed } = await h.attribution.captureTouch({
      kind: 'referral',
      anonymousId,
      product: 'kilo_pass',
      programKey: 'kilo-pass-referrals',
      saasquatchCookie: 'eyJvcGFxdWUiOiJ2YWx1ZSJ9',
      metadata: { rsCode: 'JANE10', rsShareMedium: 'EMAIL', rsEngagementMedium: 'POPUP', utm: { source: 'newsletter', campaign: 'spring', medium: '' } },
      landingPath: 'https://kilo.example.com/pricing?rsCode=JANE10&reset_token=secret#x',
    });
    expect(replayed).toBe(false);
    expect(touch).toEqual({
      id: expect.stringMatching(/^\d+$/),
      kind: 'referral',
      anonymousId,
      userId: null,
      product: 'kilo_pass',
      programKey: 'kilo-pass-referrals',
      saasquatchCookie: 'eyJvcGFxdWUiOiJ2YWx1ZSJ9',
      referralCode: null,
      clickId: null,
      metadata: { rsCode: 'JANE10', rsShareMedium: 'EMAIL', rsEngagementMedium: 'POPUP', utm: { source: 'newsletter', campaign: 'spring' } },
      landingPath: '/pricing',
      status: 'accepted',
      accepted: true,
      truncated: {},
      touchedAt: new Date(T0),
      associatedAt: null,
      saleAttributedAt: null,
      saleAttributedConversionId: null,
    });
  });

  it('captures an affiliate touch after signup (user id) with its opaque im_ref click id', async () => {
    const userId = uid('user');
    const { touch } = await h.attribution.captureTouch({ kind: 'affiliate', userId, product: 'kilo_pass', clickId: 'Uk2SaN1t0xyc' });
    expect(touch).toMatchObject({ kind: 'affiliate', userId, anonymousId: null, clickId: 'Uk2SaN1t0xyc', status: 'accepted' });
    expect(await h.attribution.listTouches({ userId })).toEqual([touch]);
  });

  describe('the 512-character limit', () => {
    it('a 512-character value is accepted as is', async () => {
      const { touch } = await h.attribution.captureTouch({ kind: 'affiliate', anonymousId: uid('anon'), product: 'kilo_pass', clickId: 'k'.repeat(512) });
      expect(touch).toMatchObject({ status: 'accepted', accepted: true, clickId: 'k'.repeat(512), truncated: {} });
    });

    it('a 513-character value is stored truncated for diagnostics, not accepted, and never used for attribution', async () => {
      const anonymousId = uid('anon');
      const { touch } = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', saasquatchCookie: 's'.repeat(513) });
      expect(touch).toMatchObject({ status: 'value_too_long', accepted: false, saasquatchCookie: 's'.repeat(512), truncated: { saasquatchCookie: 513 } });
    });
  });

  it('a referral touch without a _saasquatch value or code is stored but is not a valid referral touch', async () => {
    const { touch } = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_pass', saasquatchCookie: '' });
    expect(touch).toMatchObject({ status: 'value_missing', accepted: false, saasquatchCookie: null });
  });

  it('a touch whose product or program cannot be resolved is kept for diagnostics only', async () => {
    const unknownProduct = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_boost', referralCode: 'X' });
    expect(unknownProduct.touch).toMatchObject({ status: 'product_unknown', accepted: false, product: 'kilo_boost' });
    const unknownProgram = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_pass', programKey: 'no-such-program', referralCode: 'X' });
    expect(unknownProgram.touch).toMatchObject({ status: 'program_unknown', accepted: false });
    // A program of another product does not resolve either.
    const otherProduct = await h.attribution.captureTouch({
      kind: 'referral',
      anonymousId: uid('anon'),
      product: 'kilo_pass',
      programKey: 'challenge-based-rewards-student',
      referralCode: 'X',
    });
    expect(otherProduct.touch.status).toBe('program_unknown');
  });

  it('[35] a native code without a program key resolves to the one program of the product holding it, recorded on the touch', async () => {
    await h.attribution.registerReferralCode({ programKey: 'kilo-pass-referrals', code: 'RESOLVE1', userId: 'res' });
    const resolved = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_pass', referralCode: 'RESOLVE1' });
    expect(resolved.touch).toMatchObject({ status: 'accepted', accepted: true, programKey: 'kilo-pass-referrals' });
    // The code is held in another product's program only: nothing in kilo_pass resolves it.
    await h.attribution.registerReferralCode({ programKey: 'challenge-based-rewards-student', code: 'TUTOR-ONLY', userId: 'res' });
    const elsewhere = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_pass', referralCode: 'TUTOR-ONLY' });
    expect(elsewhere.touch).toMatchObject({ status: 'program_unknown', accepted: false, programKey: null });
  });

  it('[35] a _saasquatch value names no program: without a program key the touch is diagnostics only', async () => {
    const { touch } = await h.attribution.captureTouch({ kind: 'referral', anonymousId: uid('anon'), product: 'kilo_pass', saasquatchCookie: 'opaque', metadata: { rsCode: 'JANE10' } });
    expect(touch).toMatchObject({ status: 'program_unknown', accepted: false, programKey: null, saasquatchCookie: 'opaque' });
  });

  it('[28] rsCode and the other link metadata alone are kept for diagnostics, never a valid referral touch', async () => {
    const { touch } = await h.attribution.captureTouch({
      kind: 'referral',
      anonymousId: uid('anon'),
      product: 'kilo_pass',
      programKey: 'kilo-pass-referrals',
      metadata: { rsCode: 'JANE10', rsShareMedium: 'EMAIL', utm: { source: 'x' } },
      landingPath: '/r/jane',
    });
    expect(touch).toMatchObject({ status: 'value_missing', accepted: false, metadata: { rsCode: 'JANE10', rsShareMedium: 'EMAIL', utm: { source: 'x' } }, landingPath: '/r/jane' });
  });

  describe('replayed touch', () => {
    it('the same touch replayed within the same minute is one row; in the next minute it is a new touch', async () => {
      const input = { kind: 'affiliate' as const, anonymousId: uid('anon'), product: 'kilo_pass', clickId: 'replay-me' };
      h.clock.set('2026-01-05T10:07:00.000Z');
      const first = await h.attribution.captureTouch(input);
      h.clock.set('2026-01-05T10:07:59.999Z');
      const retried = await h.attribution.captureTouch(input);
      expect(retried).toEqual({ touch: first.touch, replayed: true });
      h.clock.set('2026-01-05T10:08:00.000Z');
      const later = await h.attribution.captureTouch(input);
      expect(later.replayed).toBe(false);
      expect((await h.attribution.listTouches({ anonymousId: input.anonymousId })).map((t) => t.id)).toEqual([first.touch.id, later.touch.id]);
    });

    it('concurrent retries of one touch still make one row', async () => {
      const input = { kind: 'referral' as const, anonymousId: uid('anon'), product: 'kilo_pass', referralCode: 'JANE10' };
      const results = await Promise.all(Array.from({ length: 5 }, () => h.attribution.captureTouch(input)));
      expect(new Set(results.map((r) => r.touch.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    });

    it('a touch differing in anything it carries is another touch, even in the same minute', async () => {
      const anonymousId = uid('anon');
      const a = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'A' });
      const b = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'A', metadata: { utm: { source: 'x' } } });
      // Two long values that differ only after character 512 are two touches too.
      const long = 'z'.repeat(600);
      const c = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', saasquatchCookie: `${long}1` });
      const d = await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', saasquatchCookie: `${long}2` });
      expect(new Set([a, b, c, d].map((r) => r.touch.id)).size).toBe(4);
    });
  });

  it('capturing never grants anything: no referral, signup or conversion rows appear', async () => {
    const before = await tableCounts(db.sequelize);
    await h.attribution.captureTouch({ kind: 'referral', userId: uid('user'), product: 'kilo_pass', referralCode: 'JANE10' });
    const after = await tableCounts(db.sequelize);
    expect(after).toEqual({ ...before, attribution_touches: (before['attribution_touches'] ?? 0) + 1 });
  });

  describe('bad input: a typed error with a code and path, and nothing changes', () => {
    it.each([
      ['no owner', { kind: 'referral', product: 'kilo_pass', referralCode: 'A' }, [{ code: 'field_required', path: 'anonymousId' }]],
      ['an oversized anonymous id', { kind: 'referral', anonymousId: 'a'.repeat(201), product: 'kilo_pass', referralCode: 'A' }, [{ code: 'field_too_long', path: 'anonymousId' }]],
      ['an oversized UTM value', { kind: 'affiliate', anonymousId: 'a', product: 'kilo_pass', clickId: 'c', metadata: { utm: { campaign: 'c'.repeat(201) } } }, [{ code: 'field_too_long', path: 'metadata.utm.campaign' }]],
      ['an oversized landing path', { kind: 'affiliate', anonymousId: 'a', product: 'kilo_pass', clickId: 'c', landingPath: `/${'p'.repeat(2048)}` }, [{ code: 'field_too_long', path: 'landingPath' }]],
      ['a malformed product key', { kind: 'affiliate', anonymousId: 'a', product: 'Kilo Pass', clickId: 'c' }, [{ code: 'field_invalid', path: 'product' }]],
      ['a click id on a referral touch', { kind: 'referral', anonymousId: 'a', product: 'kilo_pass', clickId: 'c' }, [{ code: 'field_unknown', path: 'clickId' }]],
      ['an unknown kind', { kind: 'visit', anonymousId: 'a', product: 'kilo_pass' }, [{ code: 'field_invalid', path: 'kind' }]],
      ['a NUL character', { kind: 'affiliate', anonymousId: 'a', product: 'kilo_pass', clickId: 'c\u0000' }, [{ code: 'field_invalid', path: 'clickId' }]],
    ])('%s', async (_case, input, issues) => {
      const before = await tableCounts(db.sequelize);
      const error = await failure(h.attribution.captureTouch(input as never));
      expect(error.code).toBe('input_invalid');
      expect(error.kind).toBe('validation');
      expect(error.issues).toEqual(issues.map((issue) => expect.objectContaining(issue)));
      expect(await tableCounts(db.sequelize)).toEqual(before);
    });
  });
});

describe('associateTouches', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
  });

  it('gives the anonymous session touches to the user, once; a replay and another user change nothing', async () => {
    const anonymousId = uid('anon');
    const userId = uid('user');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'A' });
    await h.attribution.captureTouch({ kind: 'affiliate', anonymousId, product: 'kilo_pass', clickId: 'c' });
    h.clock.advance(5_000);
    expect(await h.attribution.associateTouches({ anonymousId, userId })).toEqual({ associated: 2 });
    expect(await h.attribution.associateTouches({ anonymousId, userId })).toEqual({ associated: 0 });
    expect(await h.attribution.associateTouches({ anonymousId, userId: uid('someone-else') })).toEqual({ associated: 0 });
    const touches = await h.attribution.listTouches({ userId });
    expect(touches.map((t) => [t.kind, t.anonymousId, t.userId])).toEqual([
      ['referral', anonymousId, userId],
      ['affiliate', anonymousId, userId],
    ]);
    expect(touches[0]?.associatedAt).toEqual(new Date(new Date(T0).getTime() + 5_000));
  });

  it('the database refuses to move a touch to another user or to change what it captured', async () => {
    const { touch } = await h.attribution.captureTouch({ kind: 'referral', userId: uid('user'), product: 'kilo_pass', referralCode: 'A' });
    await expect(db.sequelize.query(`UPDATE attribution_touches SET user_id = 'thief' WHERE id = ${touch.id}`)).rejects.toThrow(/owner is set once/);
    await expect(db.sequelize.query(`UPDATE attribution_touches SET referral_code = 'B' WHERE id = ${touch.id}`)).rejects.toThrow(/never change/);
  });

  it('listing touches needs a user or an anonymous session', async () => {
    const error = await failure(h.attribution.listTouches({ product: 'kilo_pass' }));
    expect(error.issues).toEqual([expect.objectContaining({ code: 'field_required', path: 'userId' })]);
  });

  it('bad input is input_invalid and changes nothing', async () => {
    const error = await failure(h.attribution.associateTouches({ anonymousId: '', userId: 'u'.repeat(201) }));
    expect(error.issues.map((i) => [i.code, i.path])).toEqual([
      ['field_invalid', 'anonymousId'],
      ['field_too_long', 'userId'],
    ]);
  });
});
