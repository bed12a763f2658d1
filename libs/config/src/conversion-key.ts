import { z } from 'zod';
import { EXTERNAL_ID_MAX_LENGTH } from './ids';

/**
 * One conversion identity from the host's event down to Impact: the provider that knows it
 * (`stripe`, `lesson-events`) and the provider's id of the source (an invoice, a lesson event).
 * Its string form (`stripe:in_123`) names the conversion in the ledger, in adverse notices, in
 * impact-sync's business ids and in workflow ids; the Impact OrderId derives from the source id.
 *
 * (Workflow inputs recorded before this convention carry the source id as `sourcePaymentId`; the
 * name stays there so running workflows replay.)
 */
export interface ConversionKey {
  readonly provider: string;
  readonly sourceId: string;
}

/** `stripe:in_123`: the ledger's conversion id, the SALE's business id. */
export const conversionKeyString = (key: ConversionKey): string => `${key.provider}:${key.sourceId}`;

/** A provider key (`stripe`, `lesson-events`): lower case, at most 64 characters. */
export const PROVIDER_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
export const providerKeySchema = z.string().regex(PROVIDER_KEY_PATTERN, 'must be a provider key like stripe');

/** The longest string form of a conversion key: a provider key, `:`, a host id of the longest length. */
export const CONVERSION_KEY_MAX_LENGTH = 64 + 1 + EXTERNAL_ID_MAX_LENGTH;

/** The inverse of conversionKeyString (a provider key has no colon), or null when `id` has no provider part. */
export function parseConversionKey(id: string): ConversionKey | null {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return null;
  return { provider: id.slice(0, at), sourceId: id.slice(at + 1) };
}
