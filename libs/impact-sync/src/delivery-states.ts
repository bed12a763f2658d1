/**
 * What Impact work exists and the states it moves through. Data, so the database CHECKs, the
 * read models and the worker all use the same lists.
 */

/** One row per piece of Impact work, identified by (kind, business id). */
export const deliveryKinds = [
  /** Register (upsert) a participant with Impact Advocate; business id `{programKey}:{userId}`. */
  'participant_registration',
  /** The referral SALE of a payment; business id `{product}:{provider}:{sourceId}`. */
  'referral_sale',
  /** The affiliate SALE of a payment (sent when the affiliate wins, `suppressed` when the referral wins). */
  'affiliate_sale',
  /** Reversal of the reported SALE after an adverse payment; business id as for the SALE. */
  'sale_reversal',
  /** Redemption of an applied local reward in Impact Advocate; business id = the ledger reward id. */
  'reward_redemption',
] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/** How ops groups the kinds (registrations, conversion reports, redemptions). */
export const deliveryCategories = {
  registrations: ['participant_registration'],
  conversionReports: ['referral_sale', 'affiliate_sale', 'sale_reversal'],
  redemptions: ['reward_redemption'],
} as const satisfies Record<string, readonly DeliveryKind[]>;

export const deliveryStatuses = [
  /** Recorded, no attempt finished yet (or requeued by an operator). */
  'pending',
  /** The last attempt failed transiently; `nextAttemptAt` says when the next one runs. */
  'retrying',
  /** Impact accepted it (or answered an idempotent success such as "already redeemed"). */
  'succeeded',
  /** Impact refused it permanently; nothing is resent until an operator requeues it. */
  'failed',
  /** Impact is not configured for the product (nothing was sent). */
  'disabled',
  /** Deliberately not sent (an affiliate SALE the referral won, a reward no longer redeemable). */
  'suppressed',
] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** States no attempt leaves. Recording another outcome on them changes nothing. */
export const terminalDeliveryStatuses = ['succeeded', 'failed', 'disabled', 'suppressed'] as const satisfies readonly DeliveryStatus[];
export type TerminalDeliveryStatus = (typeof terminalDeliveryStatuses)[number];

/** What one attempt ended in (the statuses an attempt can record). */
export const attemptOutcomes = ['succeeded', 'retrying', 'failed', 'disabled', 'suppressed'] as const satisfies readonly DeliveryStatus[];
export type AttemptOutcome = (typeof attemptOutcomes)[number];

export function isTerminalDeliveryStatus(status: DeliveryStatus): status is TerminalDeliveryStatus {
  return (terminalDeliveryStatuses as readonly DeliveryStatus[]).includes(status);
}
