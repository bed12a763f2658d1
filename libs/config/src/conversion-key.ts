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

/** The inverse of conversionKeyString (a provider key has no colon), or null when `id` has no provider part. */
export function parseConversionKey(id: string): ConversionKey | null {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return null;
  return { provider: id.slice(0, at), sourceId: id.slice(at + 1) };
}
