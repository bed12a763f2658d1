import { accountKinds } from './accounts';
import { isLedgerError } from './ledger.errors';
import {
  assertRewardTransition,
  cappedStates,
  findRewardTransition,
  restingAccountOf,
  rewardStates,
  rewardStatuses,
  rewardTransitions,
} from './reward-states';

describe('reward transition table', () => {
  const legal = new Set(rewardTransitions.map((t) => `${t.from}->${t.to}`));

  it('lists each move once', () => {
    expect(legal.size).toBe(rewardTransitions.length);
  });

  it.each(rewardTransitions.map((t) => [t.from, t.to, t.operation]))('allows %s -> %s (%s)', (from, to) => {
    expect(assertRewardTransition(from, to).to).toBe(to);
  });

  const illegal = rewardStatuses.flatMap((from) =>
    rewardStatuses.filter((to) => !legal.has(`${from}->${to}`)).map((to) => [from, to] as const),
  );
  it.each(illegal)('refuses %s -> %s with reward_transition_illegal', (from, to) => {
    expect(findRewardTransition(from, to)).toBeUndefined();
    try {
      assertRewardTransition(from, to, '42');
      throw new Error('expected an error');
    } catch (error) {
      expect(isLedgerError(error, 'reward_transition_illegal')).toBe(true);
      expect(error).toMatchObject({ retryable: false, details: { from, to, rewardId: '42' } });
    }
  });

  it('never moves a decision that granted nothing (cap_limited, disqualified)', () => {
    expect(rewardTransitions.some((t) => (t.from as string) === 'cap_limited' || (t.from as string) === 'disqualified')).toBe(false);
  });

  it('has no way out of the final states expired, canceled, reversed', () => {
    for (const final of ['expired', 'canceled', 'reversed']) {
      expect(rewardTransitions.filter((t) => t.from === final)).toEqual([]);
    }
  });
});

describe('resting accounts', () => {
  it('names an account kind for every state', () => {
    for (const state of rewardStates) expect(accountKinds).toContain(restingAccountOf[state]);
  });

  it('keeps the amounts of unconsumed rewards (and only those) in the beneficiary account', () => {
    const inBeneficiary = rewardStates.filter((s) => restingAccountOf[s] === 'beneficiary');
    expect(inBeneficiary.sort()).toEqual(['earned', 'pending']);
  });

  it('never lets a reward enter a capped state again once it left them (so cap ranks only shrink)', () => {
    for (const t of rewardTransitions) {
      if (!cappedStates.includes(t.from)) expect(cappedStates).not.toContain(t.to);
    }
  });
});
