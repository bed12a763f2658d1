import {
  type EligibilityExplanation,
  formatRewardComputation,
  formatTraces,
  formatWindow,
  type RewardExplanation,
} from './explain';
import { type Money } from './money';
import { type InitialRewardStatus } from './program.schema';

/** When to evaluate, and whether to explain. */
export interface EvaluationOptions {
  /**
   * The evaluation instant: the referral's creation time for eligibility, the trigger event's time
   * for rewards. Passed in, never read from a clock, so evaluation is deterministic (and replayable
   * inside Temporal workflows). Also the value of clock facts (`now`).
   */
  readonly at: Date | string;
  /**
   * Build the explanation (default true). Hot paths that only need the decision pass false; the
   * decision is the same either way.
   */
  readonly explain?: boolean;
}

/**
 * - `eligible`: the inviting window is open and every eligibility condition matched.
 * - `outside_inviting_window`: `at` is not in [startAt, frozenAt).
 * - `conditions_not_met`: some condition did not match (whatever the missing facts would say).
 * - `facts_invalid`: the decision depends on a fact that is missing or mistyped.
 * - `evaluation_time_invalid`: `at` is not a valid instant.
 */
export const ELIGIBILITY_CODES = ['eligible', 'outside_inviting_window', 'conditions_not_met', 'facts_invalid', 'evaluation_time_invalid'] as const;
export type EligibilityCode = (typeof ELIGIBILITY_CODES)[number];

export interface EligibilityEvaluation {
  readonly code: EligibilityCode;
  readonly eligible: boolean;
  readonly programKey: string;
  readonly explanation?: EligibilityExplanation;
}

/**
 * - `rewarded`: a rule matched and its reward is in `grants`.
 * - `trigger_mismatch`: the event is not the program's trigger.
 * - `outside_reward_window`: `at` is not in [startAt, endAt).
 * - `no_rule_matched`: no rule matched: no reward for this event (the program stays applied).
 * - `facts_invalid`: a rule (or the reward's base) depends on a missing or mistyped fact; rules
 *   after it were not tried, because a later, lesser rule must not win by default.
 * - `reward_amount_zero`: a rule matched but its percent reward rounds to zero.
 * - `evaluation_time_invalid`: `at` is not a valid instant.
 */
export const REWARD_CODES = [
  'rewarded',
  'trigger_mismatch',
  'outside_reward_window',
  'no_rule_matched',
  'facts_invalid',
  'reward_amount_zero',
  'evaluation_time_invalid',
] as const;
export type RewardCode = (typeof REWARD_CODES)[number];

/** What a beneficiary receives. Fixed and percent rewards are both money. */
export type GrantedReward =
  | { readonly type: 'money'; readonly amount: Money }
  | { readonly type: 'free_period'; readonly count: number; readonly unit: 'day' | 'week' | 'month' }
  | { readonly type: 'credits'; readonly credits: number };

/** One reward to record: `both` beneficiaries give two grants of the same reward. */
export interface RewardGrant {
  readonly beneficiary: 'referrer' | 'referee';
  readonly initialStatus: InitialRewardStatus;
  readonly reward: GrantedReward;
}

export interface RewardEvaluation {
  readonly code: RewardCode;
  readonly rewarded: boolean;
  readonly programKey: string;
  /** The rule that decided: matched (`rewarded`, `reward_amount_zero`) or undecidable (`facts_invalid`). */
  readonly rule: { readonly index: number; readonly description: string } | null;
  readonly grants: readonly RewardGrant[];
  readonly explanation?: RewardExplanation;
}

/** A readable account of an evaluation, one line per fact of the matter. */
export function formatEvaluation(evaluation: EligibilityEvaluation | RewardEvaluation): string[] {
  const lines = [`${evaluation.programKey}: ${evaluation.code}`];
  const explanation = evaluation.explanation;
  if (!explanation) return lines;
  if ('conditions' in explanation) {
    lines.push(formatWindow(explanation.window), ...formatTraces(explanation.conditions, 1));
    return lines;
  }
  const { event } = explanation;
  lines.push(`event ${event.actual}${event.matched ? '' : ` (the trigger is ${event.expected})`}`);
  if (explanation.window) lines.push(formatWindow(explanation.window));
  for (const rule of explanation.rules) {
    // Rules and branches are numbered from 1 in every line people read, as the admin console numbers them.
    lines.push(`rule ${rule.index + 1} "${rule.description}": ${rule.outcome.replace('_', ' ')}`, ...formatTraces(rule.conditions, 1));
  }
  if (explanation.reward) lines.push(formatRewardComputation(explanation.reward));
  return lines;
}
