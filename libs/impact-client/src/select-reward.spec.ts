import { type AdvocateReward } from './advocate.schemas';
import { selectReward } from './select-reward';

const credit = (overrides: Partial<AdvocateReward>): AdvocateReward => ({
  id: 'r',
  type: 'CREDIT',
  unit: 'USD',
  programId: '51700',
  assignedCredit: 19.99,
  redeemedCredit: 0,
  dateCancelled: null,
  redemptions: [],
  ...overrides,
});
const criteria = { programId: '51700', unit: 'usd', amountMinor: 1999, unitDecimals: 2 };

describe('selectReward', () => {
  it('picks the first reward that passes every rule and explains the ones passed over, in order', () => {
    const rewards = [
      credit({ id: null }),
      credit({ id: 'pct', type: 'PCT_DISCOUNT' }),
      credit({ id: 'other-program', programId: '51699' }),
      credit({ id: 'no-program', programId: null }),
      credit({ id: 'months', unit: 'MONTH' }),
      credit({ id: 'cancelled', dateCancelled: 1 }),
      credit({ id: 'used', redeemedCredit: 1 }),
      credit({ id: 'used-list', redemptions: [{ id: 'x', quantityRedeemed: 1 }] }),
      credit({ id: 'small', assignedCredit: 19.98 }),
      credit({ id: 'large', assignedCredit: 20 }),
      credit({ id: 'claimed' }),
      credit({ id: 'chosen' }),
      credit({ id: 'later' }),
    ];

    const selection = selectReward(rewards, { ...criteria, excludeRewardIds: ['claimed'] });

    expect(selection).toMatchObject({ kind: 'selected', rewardId: 'chosen' });
    expect(selection.rejected.map((r) => [r.rewardId, r.reason])).toEqual([
      [null, 'missing_id'],
      ['pct', 'not_credit'],
      ['other-program', 'program_mismatch'],
      ['no-program', 'program_mismatch'],
      ['months', 'unit_mismatch'],
      ['cancelled', 'cancelled'],
      ['used', 'already_redeemed'],
      ['used-list', 'already_redeemed'],
      ['small', 'insufficient_credit'],
      ['large', 'amount_mismatch'],
      ['claimed', 'claimed_by_other_reward'],
    ]);
  });

  it('accepts a reward without a type, and only of the exact amount', () => {
    expect(selectReward([credit({ type: null })], criteria)).toMatchObject({ kind: 'selected' });
    expect(selectReward([credit({ assignedCredit: 50 })], criteria)).toMatchObject({ kind: 'none', rejected: [{ reason: 'amount_mismatch' }] });
  });

  it('answers none when nothing matches (the reward is not visible yet)', () => {
    expect(selectReward([], criteria)).toEqual({ kind: 'none', rejected: [] });
    expect(selectReward([credit({ unit: null })], criteria)).toMatchObject({ kind: 'none', rejected: [{ reason: 'unit_mismatch' }] });
  });

  it('compares integer units without decimals', () => {
    const months = { programId: '51700', unit: 'MONTH', amountMinor: 1, unitDecimals: 0 };
    expect(selectReward([credit({ unit: 'month', assignedCredit: 1 })], months).kind).toBe('selected');
    expect(selectReward([credit({ unit: 'MONTH', assignedCredit: 0 })], months).kind).toBe('none');
  });
});
