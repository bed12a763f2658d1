import { createHash } from 'node:crypto';

/** Impact keeps at most 64 characters of an `OrderId` (and of a `ClickId`). */
export const MAX_ORDER_ID_LENGTH = 64;
export const MAX_CLICK_ID_LENGTH = 64;
/** Opaque tracking values (cookies, click ids) longer than this are not accepted (impact-api.md §4). */
export const MAX_TRACKING_VALUE_LENGTH = 512;

/**
 * `CustomerEmail` is never the address itself: the SHA-1 hex of the trimmed, lower-cased address,
 * so the same person hashes the same whatever the capitalisation they typed.
 */
export function hashCustomerEmail(email: string): string {
  return createHash('sha1').update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

/**
 * A deterministic `OrderId` from the business source id (for a referral SALE the payment's source
 * id, for a SIGNUP the user id): resubmitting the same conversion always carries the same id, so
 * Impact deduplicates it. Ids that fit are sent as they are (support can search them); longer ones
 * become their SHA-256 hex, exactly 64 characters.
 */
export function orderIdFor(sourceId: string): string {
  const id = sourceId.trim();
  if (id.length > 0 && id.length <= MAX_ORDER_ID_LENGTH && /^[\x21-\x7e]+$/.test(id)) return id;
  return createHash('sha256').update(id, 'utf8').digest('hex');
}
