import { type RoleOutcome } from '@referrals/ledger';
import { currencyOf, DEFAULT_MAX_REWARD_MINOR, type RewardingProduct } from './products';
import { type PaymentSucceededEvent, type QualifyingEvent } from './qualifying-events';
import { RewardingError } from './rewarding.errors';

/**
 * Money comes from the source of truth: the price a percent reward is computed from is the
 * product's price table, never a price the host claims. A host price that disagrees with the
 * table, a tier the table does not list, or a payment in another currency than the product's is
 * refused (422, naming the field) before anything is written. Returns the payment's reward facts.
 */
export function checkPaymentMoney(event: PaymentSucceededEvent, product: RewardingProduct): Record<string, unknown> {
  const currency = currencyOf(product);
  if (currency !== undefined && event.amount.currency !== currency) {
    throw new RewardingError('currency_mismatch', `product "${product.product}" is billed in ${currency}, not ${event.amount.currency}`, {
      issues: [{ path: 'amount.currency', code: 'currency_mismatch', message: `must be ${currency}` }],
    });
  }
  const table = product.monthlyPrices;
  // Own keys only: a tier named like an Object.prototype member is not in the table.
  const listed = table && Object.hasOwn(table, event.subscription.tier) ? table[event.subscription.tier] : undefined;
  if (table && !listed) {
    throw new RewardingError('tier_unknown', `product "${product.product}" has no tier "${event.subscription.tier}" in its price table`, {
      issues: [{ path: 'subscription.tier', code: 'tier_unknown', message: `known tiers: ${Object.keys(table).join(', ')}` }],
    });
  }
  const claimed = event.subscription.monthlyPrice;
  if (claimed && (!listed || claimed.minor !== listed.minor || claimed.currency !== listed.currency)) {
    const expected = listed ? `${listed.minor} ${listed.currency}` : 'none (the product has no price table)';
    throw new RewardingError('monthly_price_mismatch', `the ${event.subscription.tier} monthly price is ${expected}, not ${claimed.minor} ${claimed.currency}`, {
      issues: [{ path: 'subscription.monthlyPrice', code: 'monthly_price_mismatch', message: `must be the price table's ${expected}, or left out` }],
    });
  }
  const facts = structuredClone(event.facts ?? {});
  // Reward-phase facts of the payments catalog; the event's own facts win over the host's extras.
  Object.assign(facts, {
    subscription: {
      ...(facts['subscription'] as object | undefined),
      tier: event.subscription.tier,
      interval: event.subscription.interval,
      kind: event.subscription.kind,
      started_at: event.subscription.startedAt,
      ...(listed ? { monthly_price: { amountMinor: listed.minor, currency: listed.currency } } : {}),
    },
    payment: { amount: { amountMinor: event.amount.minor, currency: event.amount.currency }, sequence: event.sequence, paid_at: event.paidAt },
    event: { sequence: event.sequence },
  });
  return facts;
}

/** Where the amount a reward was computed from lives in the event, for the 422's path. */
const amountSourcePath = (event: QualifyingEvent): string => (event.type === 'payment.succeeded' ? 'subscription.tier' : 'lesson.usdAmount');

/**
 * No money reward above the product's maximum per reward: a guard against a rule or a fact gone
 * wrong (a percent of an absurd amount). The whole event is refused, nothing is written.
 */
export function checkRewardMaximum(event: QualifyingEvent, product: RewardingProduct, outcomes: readonly RoleOutcome[]): void {
  const max = product.maxRewardMinor ?? DEFAULT_MAX_REWARD_MINOR;
  for (const outcome of outcomes) {
    if (outcome.decision !== 'grant' || (outcome.kind !== 'fixed' && outcome.kind !== 'percent')) continue;
    if (outcome.amountMinor > max) {
      throw new RewardingError('reward_above_maximum', `the ${outcome.role}'s reward of ${outcome.amountMinor} ${outcome.unit} is above the maximum of ${max} per reward`, {
      issues: [{ path: amountSourcePath(event), code: 'reward_above_maximum', message: `gives a ${outcome.role} reward above ${max} minor units` }],
    });
    }
  }
}
