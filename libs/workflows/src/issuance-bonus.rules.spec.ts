import { type IssuanceFacts } from './contracts/issuance-bonus.contract';
import { planPromos } from './issuance-bonus.rules';

const facts = (overrides: Partial<IssuanceFacts> = {}): IssuanceFacts => ({
  issuanceCreatedAt: '2026-03-01T00:00:00.000Z',
  periodEndsAt: '2026-04-01T00:00:00.000Z',
  interval: 'month',
  issuanceNumber: 1,
  firstTimeSubscriber: true,
  subscriberStartedAt: '2026-01-10T00:00:00.000Z',
  ...overrides,
});
const CUTOFF = '2026-02-01T00:00:00.000Z';

describe('planPromos', () => {
  it("gives a first-time monthly subscriber's first issuance the welcome promo", () => {
    expect(planPromos(facts(), CUTOFF)).toMatchObject({ welcomePromo: true, legacyMonth2Promo: false });
  });

  it('gives no promo to a returning subscriber, a yearly subscription, or one the host marked not eligible', () => {
    expect(planPromos(facts({ firstTimeSubscriber: false }), CUTOFF).welcomePromo).toBe(false);
    expect(planPromos(facts({ interval: 'year' }), CUTOFF).welcomePromo).toBe(false);
    expect(planPromos(facts({ welcomePromoEligible: false }), CUTOFF).welcomePromo).toBe(false);
  });

  it('keeps the legacy month-2 promo on the second issuance of a subscriber who started before the cutoff', () => {
    expect(planPromos(facts({ issuanceNumber: 2 }), CUTOFF)).toMatchObject({ welcomePromo: false, legacyMonth2Promo: true });
  });

  it('gives only the first-month promo to a subscriber who started at or after the cutoff', () => {
    expect(planPromos(facts({ issuanceNumber: 2, subscriberStartedAt: CUTOFF }), CUTOFF).legacyMonth2Promo).toBe(false);
    expect(planPromos(facts({ issuanceNumber: 2, subscriberStartedAt: '2026-03-01T00:00:00.000Z' }), CUTOFF).legacyMonth2Promo).toBe(false);
  });

  it('gives no legacy promo when no cutoff is configured, nor on a third issuance', () => {
    expect(planPromos(facts({ issuanceNumber: 2 }), null).legacyMonth2Promo).toBe(false);
    expect(planPromos(facts({ issuanceNumber: 3 }), CUTOFF)).toMatchObject({ welcomePromo: false, legacyMonth2Promo: false });
  });
});
