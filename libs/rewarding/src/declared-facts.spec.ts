import { exampleCatalogs } from '@referrals/rule-dsl';
import { checkDeclaredFacts } from './declared-facts';
import { RewardingError } from './rewarding.errors';

const refusal = (facts: Record<string, unknown>): RewardingError => {
  try {
    checkDeclaredFacts(exampleCatalogs.kiloPass, facts, 'kilo_pass');
  } catch (error) {
    if (error instanceof RewardingError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('checkDeclaredFacts (Kilo rule 173: undeclared facts are refused, not ignored)', () => {
  it('accepts facts the catalog declares for the reward phase, money objects included, and no facts at all', () => {
    expect(() => checkDeclaredFacts(exampleCatalogs.kiloPass, { referee: { country: 'US' }, payment: { amount: { amountMinor: 1, currency: 'USD' } } }, 'kilo_pass')).not.toThrow();
    expect(() => checkDeclaredFacts(exampleCatalogs.kiloPass, undefined, 'kilo_pass')).not.toThrow();
    expect(() => checkDeclaredFacts(undefined, { anything: 1 }, 'unknown')).not.toThrow();
  });

  it('names every undeclared fact with its path under facts', () => {
    const error = refusal({ referee: { country: 'US', colour: 'blue' }, coupon: 'X', empty: {} });
    expect(error.code).toBe('fact_undeclared');
    expect(error.issues.map((i) => i.path)).toEqual(['facts.referee.colour', 'facts.coupon', 'facts.empty']);
  });
});
