import { codesOf, DomainError, type DomainErrorOptions, type ErrorCodeDoc, type Issue } from '@referrals/errors';

/**
 * Why rewarding refused an event before (or instead of) writing anything. `kind` says what the
 * caller did wrong: `validation` (the request names something unknown), `rule_violation` (a
 * well-formed event the money rules refuse), `conflict` (the event's identity was recorded with
 * other content), `not_found` (a read of something that does not exist). None is retryable: the same event is refused the same way.
 */
export const rewardingErrorCatalog = {
  product_unknown: { kind: 'validation', retryable: false, meaning: 'the event names a product this deployment does not serve' },
  fact_undeclared: { kind: 'validation', retryable: false, meaning: "a host fact of the event is not declared for the reward phase by the product's catalog" },
  time_in_future: { kind: 'validation', retryable: false, meaning: "an instant of the past (paidAt, occurredAt...) is more than the allowed skew after the server's clock" },
  time_too_old: { kind: 'validation', retryable: false, meaning: 'an instant is before 2000-01-01T00:00:00Z' },
  tier_unknown: { kind: 'rule_violation', retryable: false, meaning: "the subscription's tier is not in the product's price table" },
  monthly_price_mismatch: { kind: 'rule_violation', retryable: false, meaning: "the host's monthlyPrice disagrees with the product's price table (the table is the source of truth)" },
  currency_mismatch: { kind: 'rule_violation', retryable: false, meaning: "the payment's currency is not the product's" },
  reward_above_maximum: { kind: 'rule_violation', retryable: false, meaning: "a money reward would exceed the product's maximum per reward" },
  program_invalid: { kind: 'rule_violation', retryable: false, meaning: 'a draft program document has problems (each one an issue with its path in the document)' },
  program_key_mismatch: { kind: 'rule_violation', retryable: false, meaning: 'a draft previewed for a program is not a version of it (another key or product)' },
  conversion_not_found: { kind: 'not_found', retryable: false, meaning: 'no conversion has this id ({provider}:{sourceId})' },
  event_exists_with_different_content: { kind: 'conflict', retryable: false, meaning: "the event's identity was recorded with other content; the first recording stands" },
  delivery_not_restartable: { kind: 'conflict', retryable: false, meaning: 'the failed delivery has no recorded workflow start to run again (it was queued before the outbox existed)' },
} as const satisfies Record<string, ErrorCodeDoc & { kind: 'validation' | 'rule_violation' | 'conflict' | 'not_found' }>;

export type RewardingErrorCode = keyof typeof rewardingErrorCatalog;
export type RewardingErrorKind = (typeof rewardingErrorCatalog)[RewardingErrorCode]['kind'];

/** Every code a rewarding call can throw (apps check their code tables against it). */
export const rewardingErrorCodes = codesOf(rewardingErrorCatalog);

/** One problem, located in the event (`subscription.monthlyPrice`). */
export type RewardingIssue = Issue;

export class RewardingError extends DomainError<RewardingErrorCode> {
  readonly kind: RewardingErrorKind;
  constructor(code: RewardingErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? rewardingErrorCatalog[code].retryable });
    this.name = 'RewardingError';
    this.kind = rewardingErrorCatalog[code].kind;
  }
}

export const isRewardingError = (error: unknown): error is RewardingError => error instanceof RewardingError;
