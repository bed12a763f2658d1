import { checkPaymentMoney, checkRewardMaximum } from './money-checks';
import { type RewardingProduct } from './products';
import { type PaymentSucceededEvent } from './qualifying-events';
import { RewardingError } from './rewarding.errors';

const kiloPass: RewardingProduct = {
  product: 'kilo_pass',
  monthlyPrices: { tier_19: { minor: 1900, currency: 'USD' }, tier_49: { minor: 4900, currency: 'USD' } },
  reportsSales: true,
};

const payment = (overrides: Partial<PaymentSucceededEvent> = {}, subscription: Partial<PaymentSucceededEvent['subscription']> = {}): PaymentSucceededEvent => ({
  type: 'payment.succeeded',
  provider: 'stripe',
  sourcePaymentId: 'in_1',
  product: 'kilo_pass',
  userId: 'u1',
  paidAt: '2026-11-01T00:00:00.000Z',
  amount: { minor: 4900, currency: 'USD' },
  sequence: 1,
  ...overrides,
  subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: '2026-11-01T00:00:00.000Z', ...subscription },
});

const refusal = (fn: () => unknown): RewardingError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RewardingError) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('money from the source of truth (issue 12, item 5)', () => {
  it('puts the price table\'s monthly price in the facts, whatever the payment charged', () => {
    const facts = checkPaymentMoney(payment({ amount: { minor: 2450, currency: 'USD' } }), kiloPass) as { subscription: { monthly_price: unknown } };
    expect(facts.subscription.monthly_price).toEqual({ amountMinor: 4900, currency: 'USD' });
  });

  it('accepts a host monthlyPrice equal to the table and refuses any other, naming the field', () => {
    expect(() => checkPaymentMoney(payment({}, { monthlyPrice: { minor: 4900, currency: 'USD' } }), kiloPass)).not.toThrow();
    const error = refusal(() => checkPaymentMoney(payment({}, { monthlyPrice: { minor: 9007199254740991, currency: 'USD' } }), kiloPass));
    expect(error).toMatchObject({ code: 'monthly_price_mismatch', kind: 'rule_violation', issues: [{ path: 'subscription.monthlyPrice' }] });
  });

  it('refuses a currency other than the product\'s and a tier the table does not list', () => {
    expect(refusal(() => checkPaymentMoney(payment({ amount: { minor: 4900, currency: 'JPY' } }), kiloPass))).toMatchObject({ code: 'currency_mismatch', issues: [{ path: 'amount.currency' }] });
    expect(refusal(() => checkPaymentMoney(payment({}, { tier: 'tier_1' }), kiloPass))).toMatchObject({ code: 'tier_unknown', issues: [{ path: 'subscription.tier' }] });
  });

  it('refuses a money reward above the maximum per reward, and leaves free periods and credits alone', () => {
    const outcome = (amountMinor: number, kind: 'fixed' | 'credits') =>
      ({ role: 'referrer', decision: 'grant', kind, amountMinor, unit: kind === 'fixed' ? 'USD' : 'credit', initialStatus: 'pending', expiresAt: null, reason: 'rule 1' }) as const;
    const capped = { ...kiloPass, maxRewardMinor: 1000 };
    expect(() => checkRewardMaximum(payment(), capped, [outcome(1000, 'fixed')])).not.toThrow();
    expect(refusal(() => checkRewardMaximum(payment(), capped, [outcome(1001, 'fixed')]))).toMatchObject({ code: 'reward_above_maximum' });
    expect(() => checkRewardMaximum(payment(), capped, [outcome(5000, 'credits')])).not.toThrow();
  });
});
