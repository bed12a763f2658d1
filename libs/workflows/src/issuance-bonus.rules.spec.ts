import { type IssuanceFacts } from './contracts/issuance-bonus.contract';
import { planIssuance, welcomeMonthOf } from './issuance-bonus.rules';

const CUTOFF = '2026-10-09T00:00:00.000Z';
const BEFORE = '2026-10-08T23:59:59.999Z';

const facts = (overrides: Partial<IssuanceFacts> = {}): IssuanceFacts => ({
  issuanceCreatedAt: '2026-11-01T00:00:00.000Z',
  periodEndsAt: '2026-12-01T00:00:00.000Z',
  interval: 'month',
  subscriptionStatus: 'active',
  issuanceNumber: 1,
  firstTimeSubscriber: true,
  subscriberStartedAt: BEFORE,
  welcomePromoLaunchCutoffAt: CUTOFF,
  ...overrides,
});

describe('welcomeMonthOf [132]', () => {
  it('is month 1 before the launch cutoff, month 2 at or after it, month 1 when the product declares none', () => {
    expect(welcomeMonthOf(BEFORE, CUTOFF)).toBe(1);
    expect(welcomeMonthOf(CUTOFF, CUTOFF)).toBe(2);
    expect(welcomeMonthOf('2026-11-20T00:00:00.000Z', CUTOFF)).toBe(2);
    expect(welcomeMonthOf('2027-01-01T00:00:00.000Z', null)).toBe(1);
    expect(welcomeMonthOf('2027-01-01T00:00:00.000Z', undefined)).toBe(1);
  });
});

describe('planIssuance', () => {
  it('[132] a first-time monthly subscriber who started before the cutoff gets the welcome promo in month 1 only', () => {
    expect(planIssuance(facts({ issuanceNumber: 1 }))).toMatchObject({ welcomePromo: true, welcomeMonth: 1 });
    expect(planIssuance(facts({ issuanceNumber: 1 })).promoWhy).toContain(`started before the launch cutoff ${CUTOFF}`);
    for (const n of [2, 3]) expect(planIssuance(facts({ issuanceNumber: n }))).toMatchObject({ welcomePromo: false, welcomeMonth: 1 });
  });

  it('[132] one who started at or after the cutoff gets it in month 2 only', () => {
    for (const startedAt of [CUTOFF, '2026-11-01T00:00:00.000Z']) {
      expect(planIssuance(facts({ issuanceNumber: 1, subscriberStartedAt: startedAt }))).toMatchObject({ welcomePromo: false, welcomeMonth: 2 });
      expect(planIssuance(facts({ issuanceNumber: 2, subscriberStartedAt: startedAt }))).toMatchObject({ welcomePromo: true, welcomeMonth: 2 });
      expect(planIssuance(facts({ issuanceNumber: 3, subscriberStartedAt: startedAt })).welcomePromo).toBe(false);
    }
    expect(planIssuance(facts({ issuanceNumber: 2, subscriberStartedAt: CUTOFF })).promoWhy).toContain('month 2 (started at or after the launch cutoff');
  });

  it('[132] without a declared cutoff the welcome month is month 1', () => {
    expect(planIssuance(facts({ welcomePromoLaunchCutoffAt: null, subscriberStartedAt: '2027-01-01T00:00:00.000Z' }))).toMatchObject({ welcomePromo: true, welcomeMonth: 1 });
    expect(planIssuance(facts({ welcomePromoLaunchCutoffAt: null, issuanceNumber: 2 })).welcomePromo).toBe(false);
  });

  it('[132] a returning subscriber never gets the welcome promo, in any month, and follows the normal ramp (a referral reward may be consumed)', () => {
    for (const [n, startedAt] of [
      [1, BEFORE],
      [2, CUTOFF],
    ] as const) {
      const plan = planIssuance(facts({ firstTimeSubscriber: false, issuanceNumber: n, subscriberStartedAt: startedAt }));
      expect(plan).toMatchObject({ welcomePromo: false, welcomeMonth: null, referralRewardAllowed: true, referralBlockedWhy: null });
      expect(plan.promoWhy).toContain('returning subscriber');
    }
  });

  it('[123, 115] the welcome-month issuance never consumes a referral reward; the next monthly issuance may', () => {
    const welcome = planIssuance(facts({ issuanceNumber: 2, subscriberStartedAt: CUTOFF }));
    expect(welcome).toMatchObject({ welcomePromo: true, referralRewardAllowed: false });
    expect(welcome.referralBlockedWhy).toContain('welcome-month issuance');
    expect(planIssuance(facts({ issuanceNumber: 1 }))).toMatchObject({ welcomePromo: true, referralRewardAllowed: false });
    expect(planIssuance(facts({ issuanceNumber: 3, subscriberStartedAt: CUTOFF }))).toMatchObject({ welcomePromo: false, referralRewardAllowed: true });
    // Month 1 of a subscription whose welcome month is month 2 is not the welcome month.
    expect(planIssuance(facts({ issuanceNumber: 1, subscriberStartedAt: CUTOFF }))).toMatchObject({ welcomePromo: false, referralRewardAllowed: true });
  });

  it("[123] a first-time subscriber's first issuance (paid by the converting payment) takes no referee reward; later ones, and a returning subscriber's, may", () => {
    expect(planIssuance(facts({ issuanceNumber: 1, subscriberStartedAt: CUTOFF }))).toMatchObject({ referralRewardAllowed: true, refereeRewardsAllowed: false });
    expect(planIssuance(facts({ issuanceNumber: 3, subscriberStartedAt: CUTOFF })).refereeRewardsAllowed).toBe(true);
    expect(planIssuance(facts({ issuanceNumber: 1, firstTimeSubscriber: false })).refereeRewardsAllowed).toBe(true);
  });

  it('[178] a first-time subscriber whose first settlement used an instrument another account claimed gets no welcome promo: the normal monthly ramp', () => {
    const plan = planIssuance(facts({ issuanceNumber: 1, subscriberStartedAt: '2026-10-01T00:00:00Z', paymentInstrumentAlreadyClaimed: true }));
    expect(plan).toMatchObject({ welcomePromo: false, welcomeMonth: null, referralRewardAllowed: true });
    expect(plan.promoWhy).toContain('[178]');
    expect(planIssuance(facts({ issuanceNumber: 1, subscriberStartedAt: '2026-10-01T00:00:00Z', paymentInstrumentAlreadyClaimed: false })).welcomePromo).toBe(true);
  });

  it('a subscriber the host marked not eligible has no welcome month: no promo, and a referral reward may be consumed', () => {
    expect(planIssuance(facts({ welcomePromoEligible: false }))).toMatchObject({ welcomePromo: false, welcomeMonth: null, referralRewardAllowed: true });
  });

  it('[131] an annual subscription\'s issuance gets no promo and never consumes a referral reward', () => {
    const plan = planIssuance(facts({ interval: 'year' }));
    expect(plan).toMatchObject({ welcomePromo: false, welcomeMonth: null, referralRewardAllowed: false });
    expect(plan.referralBlockedWhy).toContain('[131]');
    expect(planIssuance(facts({ interval: 'year', firstTimeSubscriber: false, issuanceNumber: 4 })).referralRewardAllowed).toBe(false);
  });

  it('[107] a paused, canceling or canceled subscription\'s issuance never consumes a referral reward; an active one (or an old history without a status) may', () => {
    for (const status of ['paused', 'canceling', 'canceled'] as const) {
      const plan = planIssuance(facts({ subscriptionStatus: status, firstTimeSubscriber: false, issuanceNumber: 3 }));
      expect(plan).toMatchObject({ referralRewardAllowed: false });
      expect(plan.referralBlockedWhy).toBe(`a ${status} subscription's issuance never consumes a referral reward [107]`);
    }
    const { subscriptionStatus: _status, ...withoutStatus } = facts({ firstTimeSubscriber: false, issuanceNumber: 3 });
    expect(planIssuance(withoutStatus).referralRewardAllowed).toBe(true);
  });
});
