import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, challengeRewards, DAY_MS, defined, failure, type Harness, kiloPass, tableCounts, uid } from './testing/attribution-fixtures';

const T0 = '2026-01-05T10:00:00.000Z';
const KILO = 'kilo-pass-referrals';
const t = (offsetMs: number) => new Date(new Date(T0).getTime() + offsetMs);

describe('recordConversion', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;

  beforeAll(async () => {
    h = buildHarness(db.sequelize, T0);
    await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
    // Tutoring with a 7-day attribution window, open all year.
    const tutoring = challengeRewards({
      schedule: { startAt: '2025-01-01T00:00:00Z', frozenAt: '2027-01-01T00:00:00Z', endAt: '2028-01-01T00:00:00Z' },
      eligibility: [],
    });
    await h.programs.save({ document: { ...tutoring, limits: { ...tutoring.limits, attributionWindowDays: 7 } }, author: AUTHOR, changeNote: 'Launch' });
    await h.attribution.registerReferralCode({ programKey: KILO, code: 'JANE10', userId: 'jane' });
    await h.attribution.registerReferralCode({ programKey: 'challenge-based-rewards-student', code: 'TUTOR1', userId: 'tutor' });
  });
  beforeEach(() => h.clock.set(T0));

  /** A touch of the user's at `offsetMs` after T0. */
  async function touchAt(
    offsetMs: number,
    userId: string,
    touch: { kind: 'referral'; referralCode: string; programKey?: string } | { kind: 'affiliate'; clickId: string },
    product = 'kilo_pass',
  ) {
    h.clock.set(t(offsetMs));
    return (await h.attribution.captureTouch({ ...touch, userId, product })).touch;
  }

  const payment = (userId: string, offsetMs: number, extra: Record<string, unknown> = {}) => ({
    provider: 'stripe',
    sourceId: uid('pi'),
    product: 'kilo_pass',
    userId,
    conversionTime: t(offsetMs),
    ...extra,
  });

  it('a referred user converts: the referral wins, and the conversion names the referral to reward', async () => {
    const anonymousId = uid('anon');
    const userId = uid('user');
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: 'JANE10' });
    const { referral } = await h.attribution.recordSignup({ product: 'kilo_pass', userId, anonymousId, email: `${userId}@example.com` });
    h.clock.advance(DAY_MS);
    const input = payment(userId, DAY_MS);
    const result = await h.attribution.recordConversion(input);
    expect(result).toEqual({
      replayed: false,
      retiredProgramKey: null,
      referral,
      userReferral: referral,
      touch: expect.objectContaining({ kind: 'referral', referralCode: 'JANE10', userId }),
      conversion: expect.objectContaining({
        provider: 'stripe',
        sourceId: input.sourceId,
        winner: 'referral',
        winningTouchKind: 'referral',
        reason: 'referral_only',
        referralId: defined(referral).id,
        windowDays: 30,
        sale: true,
        recordedAt: t(DAY_MS),
      }),
    });
    expect(await h.attribution.findConversion({ provider: 'stripe', sourceId: input.sourceId })).toEqual(result.conversion);
  });

  it('listConversions: one user\'s conversions, newest first, of every product, a page at a time; another user\'s never', async () => {
    const userId = uid('user');
    await touchAt(0, userId, { kind: 'affiliate', clickId: uid('click') });
    const first = await h.attribution.recordConversion(payment(userId, DAY_MS));
    const second = await h.attribution.recordConversion(payment(userId, 2 * DAY_MS, { product: 'tutoring' }));
    await h.attribution.recordConversion(payment(uid('other'), 3 * DAY_MS));
    const listed = await h.attribution.listConversions({ userId });
    expect(listed.map((c) => [c.id, c.product, c.winner])).toEqual([
      [second.conversion.id, 'tutoring', 'none'],
      [first.conversion.id, 'kilo_pass', 'affiliate'],
    ]);
    expect(listed[1]).toEqual(first.conversion);
    expect((await h.attribution.listConversions({ userId, limit: 1 })).map((c) => c.id)).toEqual([second.conversion.id]);
    expect(await h.attribution.listConversions({ userId: uid('nobody') })).toEqual([]);
    await expect(h.attribution.listConversions({ userId: '', limit: 0 })).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('an affiliate that wins a SALE is marked sale-attributed, and keeps the customer against a later referral touch', async () => {
    const userId = uid('user');
    const affiliate = await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-1' });
    const first = await h.attribution.recordConversion(payment(userId, DAY_MS));
    expect(first.conversion).toMatchObject({ winner: 'affiliate', winningTouchId: affiliate.id, winningTouchKind: 'affiliate', reason: 'affiliate_only', referralId: null });
    expect(first.touch).toMatchObject({ clickId: 'click-1', saleAttributedAt: t(DAY_MS), saleAttributedConversionId: first.conversion.id });
    expect((await h.attribution.listTouches({ userId }))[0]).toEqual(first.touch);

    await touchAt(2 * DAY_MS, userId, { kind: 'referral', referralCode: 'JANE10' });
    const second = await h.attribution.recordConversion(payment(userId, 3 * DAY_MS));
    expect(second.conversion).toMatchObject({ winner: 'affiliate', winningTouchId: affiliate.id, reason: 'affiliate_sale_before_referral' });
    // The earliest sale stands.
    expect((await h.attribution.listTouches({ userId }))[0]?.saleAttributedAt).toEqual(t(DAY_MS));
  });

  it('affiliate then referral with no prior affiliate sale: the referral wins (a non-SALE win does not count as a sale)', async () => {
    const userId = uid('user');
    await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-2' });
    const trial = await h.attribution.recordConversion(payment(userId, DAY_MS / 2, { sale: false }));
    expect(trial.conversion).toMatchObject({ winner: 'affiliate', sale: false });
    expect((await h.attribution.listTouches({ userId }))[0]?.saleAttributedAt).toBeNull();
    const referralTouch = await touchAt(DAY_MS, userId, { kind: 'referral', referralCode: 'JANE10' });
    const sale = await h.attribution.recordConversion(payment(userId, 2 * DAY_MS));
    expect(sale.conversion).toMatchObject({ winner: 'referral', winningTouchId: referralTouch.id, reason: 'referral_over_affiliate', referralId: null });
    expect(sale.referral).toBeNull(); // this user never signed up through the engine: no referral row to reward
  });

  it('several referral touches: the oldest valid one wins', async () => {
    const userId = uid('user');
    // Codes nobody holds: the touches name their program, so they are valid touches all the same.
    const oldest = await touchAt(0, userId, { kind: 'referral', referralCode: 'A', programKey: KILO });
    await touchAt(DAY_MS, userId, { kind: 'referral', referralCode: 'B', programKey: KILO });
    expect((await h.attribution.recordConversion(payment(userId, 2 * DAY_MS))).conversion.winningTouchId).toBe(oldest.id);
  });

  it('the window is exclusive to the millisecond, and comes from the pinned program (7 days for this tutoring program)', async () => {
    const anonymousId = uid('anon');
    const userId = uid('student');
    h.people.set('tutor', { numericId: 77, toggles: [] });
    h.people.set(userId, { numericId: 78, country: 'US' });
    await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'tutoring', referralCode: 'TUTOR1' });
    const { referral } = await h.attribution.recordSignup({ product: 'tutoring', userId, anonymousId, email: `${userId}@example.com` });
    expect(referral).toMatchObject({ status: 'qualified', programKey: 'challenge-based-rewards-student' });
    const lesson = (offsetMs: number) => ({ provider: 'lessons', sourceId: uid('lesson'), product: 'tutoring', userId, conversionTime: t(offsetMs) });
    expect((await h.attribution.recordConversion(lesson(7 * DAY_MS - 1))).conversion).toMatchObject({ winner: 'referral', windowDays: 7 });
    expect((await h.attribution.recordConversion(lesson(7 * DAY_MS))).conversion).toMatchObject({ winner: 'none', windowDays: 7, reason: 'no_valid_touch' });
    // An explicit window overrides the program's.
    expect((await h.attribution.recordConversion({ ...lesson(7 * DAY_MS), windowDays: 8 })).conversion).toMatchObject({ winner: 'referral', windowDays: 8 });
  });

  it('without a referral the default window (30 days) applies, exclusive at its end', async () => {
    const userId = uid('user');
    await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-3' });
    expect((await h.attribution.recordConversion(payment(userId, 30 * DAY_MS - 1, { sale: false }))).conversion.winner).toBe('affiliate');
    expect((await h.attribution.recordConversion(payment(userId, 30 * DAY_MS))).conversion).toMatchObject({ winner: 'none', verdicts: [expect.objectContaining({ verdict: 'expired' })] });
  });

  it('a touch for another product, or one not accepted (over 512 characters), never wins', async () => {
    const userId = uid('user');
    await touchAt(0, userId, { kind: 'referral', referralCode: 'TUTOR1' }, 'tutoring');
    await touchAt(1, userId, { kind: 'affiliate', clickId: 'x'.repeat(513) });
    const { conversion } = await h.attribution.recordConversion(payment(userId, DAY_MS));
    expect(conversion).toMatchObject({ winner: 'none', reason: 'no_valid_touch', verdicts: [expect.objectContaining({ kind: 'affiliate', verdict: 'not_accepted' })] });
  });

  describe('idempotency per (provider, source payment id)', () => {
    it('a replay returns the original outcome and writes nothing, even when touches changed since', async () => {
      const userId = uid('user');
      await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-4' });
      const input = payment(userId, DAY_MS);
      const original = await h.attribution.recordConversion(input);
      await touchAt(DAY_MS / 2, userId, { kind: 'referral', referralCode: 'JANE10' });
      const before = await tableCounts(db.sequelize);
      h.clock.advance(DAY_MS);
      const replay = await h.attribution.recordConversion({ ...input, conversionTime: input.conversionTime.toISOString() });
      expect(replay).toEqual({ ...original, replayed: true });
      expect(await tableCounts(db.sequelize)).toEqual(before);
    });

    it('the same payment id with other content is a conflict, and changes nothing', async () => {
      const userId = uid('user');
      const input = payment(userId, DAY_MS);
      await h.attribution.recordConversion(input);
      const before = await tableCounts(db.sequelize);
      const error = await failure(h.attribution.recordConversion({ ...input, userId: uid('other') }));
      expect(error).toMatchObject({ code: 'conversion_exists_with_different_content', kind: 'conflict' });
      expect(await tableCounts(db.sequelize)).toEqual(before);
    });

    it('concurrent recordings of one conversion make one row and one outcome', async () => {
      const userId = uid('user');
      await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-5' });
      const input = payment(userId, DAY_MS);
      const results = await Promise.all(Array.from({ length: 4 }, () => h.attribution.recordConversion(input)));
      expect(new Set(results.map((r) => r.conversion.id)).size).toBe(1);
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    });
  });

  describe('bad input: a typed error with a code and path, and nothing changes', () => {
    it.each([
      ['an unknown product', { product: 'kilo_boost' }, 'product_unknown', { code: 'product_unknown', path: 'product' }],
      ['a malformed conversion time', { conversionTime: '05/01/2026' }, 'input_invalid', { code: 'time_invalid', path: 'conversionTime' }],
      ['a local time without offset', { conversionTime: '2026-01-05T10:00:00' }, 'input_invalid', { code: 'time_invalid', path: 'conversionTime' }],
      ['an oversized payment id', { sourceId: 'p'.repeat(201) }, 'input_invalid', { code: 'field_too_long', path: 'sourceId' }],
      ['a malformed provider', { provider: 'Stripe Inc' }, 'input_invalid', { code: 'field_invalid', path: 'provider' }],
      ['a zero-day window', { windowDays: 0 }, 'input_invalid', { code: 'field_invalid', path: 'windowDays' }],
      ['an unknown field', { amount: 10 }, 'input_invalid', { code: 'field_unknown', path: 'amount' }],
    ])('%s', async (_case, change, code, issue) => {
      const userId = uid('user');
      await touchAt(0, userId, { kind: 'affiliate', clickId: 'click-bad' });
      const before = await tableCounts(db.sequelize);
      const error = await failure(h.attribution.recordConversion({ ...payment(userId, DAY_MS), ...change } as never));
      expect(error.code).toBe(code);
      expect(error.issues).toEqual([expect.objectContaining(issue)]);
      expect(await tableCounts(db.sequelize)).toEqual(before);
      expect((await h.attribution.listTouches({ userId }))[0]?.saleAttributedAt).toBeNull();
    });
  });
});
