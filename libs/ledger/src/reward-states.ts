import { LedgerError } from './ledger.errors';

/**
 * States a granted reward moves through. `pending`: waiting in the beneficiary's queue to be
 * consumed by an issuance (it may expire). `earned`: granted but held out of the queue until it is
 * released (for example until the source payment can no longer be refunded). `applied`: consumed by
 * an issuance. `review_required`: applied, then its source payment turned adverse; an operator
 * decides. `reversed`, `expired`, `canceled`: final.
 */
export const rewardStates = ['pending', 'earned', 'applied', 'reversed', 'expired', 'canceled', 'review_required'] as const;
export type RewardState = (typeof rewardStates)[number];

/** Decisions that granted nothing. They are recorded like rewards (so a replay returns them) but never move. */
export const rewardOutcomes = ['cap_limited', 'disqualified'] as const;
export type RewardOutcome = (typeof rewardOutcomes)[number];

/** What the `status` column of a reward row holds. */
export type RewardStatus = RewardState | RewardOutcome;
export const rewardStatuses = [...rewardStates, ...rewardOutcomes] as const;

/** The states a grant may start a reward in (the program rule's "initial status"). */
export const initialRewardStates = ['pending', 'earned'] as const;
export type InitialRewardState = (typeof initialRewardStates)[number];

/**
 * Where the books keep a reward's amount while it is in a state (see accounts.ts). A grant moves
 * the amount from the program's liability account to its resting account; every later transition
 * moves it from the old resting account to the new one, or not at all when both are the same.
 * verifyLedger checks every reward against this map.
 */
export const restingAccountOf = {
  pending: 'beneficiary',
  earned: 'beneficiary',
  applied: 'applied',
  review_required: 'applied',
  reversed: 'reversed',
  expired: 'expired',
  canceled: 'reversed',
} as const satisfies Record<RewardState, string>;

/** Operations that move rewards; every audit row names the one that made it. */
export type RewardOperation =
  | 'grant'
  | 'release'
  | 'apply_to_issuance'
  /** pending -> applied as a free period (a renewal moved), the issuance application's move. */
  | 'apply_free_period'
  | 'expire'
  | 'adverse_payment'
  /** Its program was retired: pending -> canceled and earned -> canceled (the adverse-payment moves, another cause). */
  | 'program_retired'
  | 'resolve_review_keep'
  | 'resolve_review_reverse';

export interface RewardTransition {
  from: RewardState;
  to: RewardState;
  operation: RewardOperation;
}

/**
 * THE transition table: a move not listed here is illegal, in code (assertRewardTransition) and in
 * the database (the `ledger_reward_transition_allowed` function the rewards trigger calls; a spec
 * checks both agree). Creation (grant) is not a transition: it starts a row in an initial state or
 * as an outcome.
 */
export const rewardTransitions: readonly RewardTransition[] = [
  { from: 'earned', to: 'pending', operation: 'release' },
  { from: 'earned', to: 'canceled', operation: 'adverse_payment' },
  { from: 'pending', to: 'applied', operation: 'apply_to_issuance' },
  { from: 'pending', to: 'expired', operation: 'expire' },
  { from: 'pending', to: 'canceled', operation: 'adverse_payment' },
  { from: 'applied', to: 'review_required', operation: 'adverse_payment' },
  { from: 'review_required', to: 'applied', operation: 'resolve_review_keep' },
  { from: 'review_required', to: 'reversed', operation: 'resolve_review_reverse' },
];

export function isRewardState(value: string): value is RewardState {
  return (rewardStates as readonly string[]).includes(value);
}

export function findRewardTransition(from: RewardStatus, to: RewardStatus): RewardTransition | undefined {
  return rewardTransitions.find((t) => t.from === from && t.to === to);
}

/** Throws `reward_transition_illegal` unless the table lists the move. */
export function assertRewardTransition(from: RewardStatus, to: RewardStatus, rewardId?: string): RewardTransition {
  const transition = findRewardTransition(from, to);
  if (!transition) {
    throw new LedgerError('reward_transition_illegal', `a reward cannot move from ${from} to ${to}`, {
      details: {
        from,
        to,
        ...(rewardId === undefined ? {} : { rewardId }),
      },
    });
  }
  return transition;
}

/**
 * States that occupy one of the referrer's capped slots. A canceled or reversed reward was taken
 * back, so its slot is given back; an expired one was earned and left unused, so it keeps it.
 */
export const cappedStates: readonly RewardState[] = ['pending', 'earned', 'applied', 'review_required', 'expired'];

/** States whose amount still sits in the beneficiary account (owed, not yet consumed). */
export const openStates: readonly RewardState[] = ['pending', 'earned'];
