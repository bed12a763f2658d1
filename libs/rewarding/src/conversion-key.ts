/**
 * One conversion identity from the host's event down to Impact: the provider that knows it
 * (`stripe`, `lesson-events`) and the provider's id of the source (an invoice, a lesson event).
 * Its string form names the conversion in the ledger, in adverse notices, in impact-sync and in
 * workflow ids.
 */
export interface ConversionKey {
  readonly provider: string;
  readonly sourceId: string;
}

/** `stripe:in_123`: the ledger's conversion id, the SALE's business id. */
export const conversionKeyString = (key: ConversionKey): string => `${key.provider}:${key.sourceId}`;
