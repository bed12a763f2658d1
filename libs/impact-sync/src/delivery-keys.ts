import { conversionKeyString, type ConversionKey } from '@referrals/config';
import { createHash } from 'node:crypto';

/**
 * Business ids (what the work is about) and delivery keys (the idempotency key of the call towards
 * Impact, as the production integration names them, impact-api.md §3). Both are derived, never
 * random, so a retried or replayed request finds the same row.
 */

export interface SaleRef extends ConversionKey {
  product: string;
}

export const deliveryBusinessIds = {
  participantRegistration: (programKey: string, userId: string) => `${programKey}:${userId}`,
  /** Referral SALE, affiliate SALE and their reversal of one payment share the business id. */
  sale: (sale: SaleRef) => `${sale.product}:${conversionKeyString(sale)}`,
  rewardRedemption: (rewardId: string) => rewardId,
} as const;

/** A short digest of an opaque value (a `_saasquatch` cookie may be 512 characters). */
function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16);
}

/** What Impact and the delivery records (`request_id`) hold of a request id. */
export const REQUEST_ID_MAX_LENGTH = 200;

/**
 * The request id of one attempt of a delivery: `<delivery key>:attempt-<n>`, deterministic, so a
 * retried attempt is recognisable in Impact's logs and ours. A delivery key built from ids of the
 * longest accepted length can pass REQUEST_ID_MAX_LENGTH: it is then cut and a digest of the whole
 * key keeps two such keys apart.
 */
export function deliveryRequestId(deliveryKey: string, attempt: number): string {
  const suffix = `:attempt-${attempt}`;
  if (deliveryKey.length + suffix.length <= REQUEST_ID_MAX_LENGTH) return `${deliveryKey}${suffix}`;
  const mark = `~${digest(deliveryKey)}`;
  return `${deliveryKey.slice(0, REQUEST_ID_MAX_LENGTH - mark.length - suffix.length)}${mark}${suffix}`;
}

export const deliveryKeys = {
  /** Per (program, user, cookie value): the cookie is part of what Advocate attributes. */
  participantRegistration: (programKey: string, userId: string, cookie: string | null | undefined) =>
    `impact-advocate-registration:${programKey}:${userId}:${cookie ? digest(cookie) : 'no-cookie'}`,
  referralSale: (sale: SaleRef) => `impact-referral-sale:${deliveryBusinessIds.sale(sale)}`,
  affiliateSale: (sale: SaleRef) => `impact-affiliate-sale:${deliveryBusinessIds.sale(sale)}`,
  saleReversal: (sale: SaleRef) => `impact-sale-reversal:${deliveryBusinessIds.sale(sale)}`,
  rewardRedemption: (rewardId: string) => `impact-advocate-reward-redemption:${rewardId}`,
} as const;
