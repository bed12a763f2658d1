/**
 * Why rewarding refused an event before (or instead of) writing anything. `kind` says what the
 * caller did wrong: `validation` (the request names something unknown), `rule_violation` (a
 * well-formed event the money rules refuse), `conflict` (the event's identity was recorded with
 * other content).
 */
export const rewardingErrorCodes = {
  product_unknown: 'validation',
  tier_unknown: 'rule_violation',
  monthly_price_mismatch: 'rule_violation',
  currency_mismatch: 'rule_violation',
  reward_above_maximum: 'rule_violation',
  event_exists_with_different_content: 'conflict',
} as const;

export type RewardingErrorCode = keyof typeof rewardingErrorCodes;
export type RewardingErrorKind = (typeof rewardingErrorCodes)[RewardingErrorCode];

export interface RewardingIssue {
  /** Where in the event (`subscription.monthlyPrice`). */
  readonly path: string;
  readonly message: string;
}

export class RewardingError extends Error {
  readonly kind: RewardingErrorKind;
  constructor(
    readonly code: RewardingErrorCode,
    message: string,
    readonly issues: readonly RewardingIssue[] = [],
  ) {
    super(message);
    this.name = 'RewardingError';
    this.kind = rewardingErrorCodes[code];
  }
}

export const isRewardingError = (error: unknown): error is RewardingError => error instanceof RewardingError;
