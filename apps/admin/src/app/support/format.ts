/** Words and formats the support and ops screens share (codes stay visible where support quotes them). */

/** A money amount (minor units of a currency) as money; other units (days, credits) with their unit. */
export function formatAmount(amountMinor: number | null, unit: string | null, percent?: string | null): string {
  if (amountMinor === null) return percent ? `${percent} %` : '—';
  if (unit && /^[A-Z]{3}$/.test(unit)) {
    try {
      const digits = new Intl.NumberFormat('en', { style: 'currency', currency: unit }).resolvedOptions().maximumFractionDigits ?? 2;
      return new Intl.NumberFormat('en', { style: 'currency', currency: unit }).format(amountMinor / 10 ** digits);
    } catch {
      // an unknown currency code: the raw amount below
    }
  }
  return `${amountMinor} ${unit ?? ''}`.trim();
}

/** An instant in UTC, to the minute (the api's clock), or a dash. */
export const formatTime = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—');

export const words = (code: string): string => code.replace(/_/g, ' ');

/** The Impact work kinds, as an operator names them. */
export const deliveryKindText: Record<string, string> = {
  participant_registration: 'Participant registration',
  referral_sale: 'Referral SALE report',
  affiliate_sale: 'Affiliate SALE report',
  sale_reversal: 'SALE reversal',
  reward_redemption: 'Reward redemption',
};
