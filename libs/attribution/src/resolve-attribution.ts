import { AttributionError } from './attribution.errors';
import { MAX_WINDOW_DAYS } from './attribution.schemas';

/*
 * Conversion-time attribution, as a pure function: the touches of one user for one product and
 * the conversion's time in, the winner and the reason out. No database, no clock: every rule can
 * be tested exhaustively, and the persisted outcome is exactly what this returns.
 */

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** What the resolver needs to know about a touch (a stored `Touch` has all of it). */
export interface AttributionTouch {
  readonly id: string;
  readonly kind: 'referral' | 'affiliate';
  readonly touchedAt: Date;
  /** Not accepted touches (oversized or missing value, unresolved product or program) never win. */
  readonly accepted: boolean;
  /** When this affiliate touch first won a SALE, if ever. */
  readonly saleAttributedAt?: Date | null;
}

/**
 * - `referral_only`: the oldest valid referral touch wins; there is no valid affiliate touch.
 * - `referral_over_affiliate`: a valid referral touch wins over valid affiliate touches, none of
 *   which was sale-attributed before it happened.
 * - `affiliate_sale_before_referral`: a valid affiliate touch had already won a SALE before the
 *   referral touch happened, so it keeps the customer.
 * - `affiliate_only`: no valid referral touch; the oldest valid affiliate touch wins.
 * - `no_valid_touch`: nothing valid (none, all expired, or none accepted); nobody wins.
 */
export const ATTRIBUTION_REASONS = [
  'referral_only',
  'referral_over_affiliate',
  'affiliate_sale_before_referral',
  'affiliate_only',
  'no_valid_touch',
] as const;
export type AttributionReason = (typeof ATTRIBUTION_REASONS)[number];

/**
 * Per touch: `valid`; `expired` (the conversion is at or after touched_at + window);
 * `not_accepted`; `after_conversion` (the touch happened after the conversion, so it cannot have
 * caused it).
 */
export type TouchVerdict = 'valid' | 'expired' | 'not_accepted' | 'after_conversion';

export type AttributionWinner = 'referral' | 'affiliate' | 'none';

export interface AttributionOutcome<T extends AttributionTouch = AttributionTouch> {
  readonly winner: AttributionWinner;
  /** The winning touch; null when nobody wins. */
  readonly touch: T | null;
  readonly reason: AttributionReason;
  /** Why each touch could or could not win, oldest first (support reads this). */
  readonly verdicts: readonly { readonly touchId: string; readonly kind: T['kind']; readonly verdict: TouchVerdict }[];
}

export interface ResolveOptions {
  /** The attribution window in days (the pinned program's `limits.attributionWindowDays`); 30 by default. */
  readonly windowDays?: number;
}

/**
 * Resolves who wins a conversion among one user's touches for one product:
 * a touch is valid when it is accepted and `touched_at <= conversion_time < touched_at + window`
 * (at the instant the window ends, or later, it has expired); a valid referral touch wins over a
 * valid affiliate touch unless that affiliate touch was sale-attributed strictly before the
 * (winning, i.e. oldest valid) referral touch happened; among several valid referral touches the
 * oldest wins; with no valid referral touch the oldest valid affiliate touch wins; nothing valid,
 * nobody wins. Ties in time are broken by id, so the answer never depends on input order.
 */
export function resolveAttribution<T extends AttributionTouch>(
  touches: readonly T[],
  conversionTime: Date,
  options: ResolveOptions = {},
): AttributionOutcome<T> {
  const windowDays = options.windowDays ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS;
  const conversionMs = conversionTime instanceof Date ? conversionTime.getTime() : Number.NaN;
  if (Number.isNaN(conversionMs)) {
    throw new AttributionError('input_invalid', 'resolveAttribution: conversionTime must be a valid Date', {
      issues: [
        { code: 'time_invalid', path: 'conversionTime', message: 'must be a valid Date' },
      ],
    });
  }
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
    throw new AttributionError('input_invalid', `resolveAttribution: windowDays must be an integer in [1, ${MAX_WINDOW_DAYS}]`, {
      issues: [
        { code: 'field_invalid', path: 'windowDays', message: `must be an integer in [1, ${MAX_WINDOW_DAYS}]` },
      ],
    });
  }
  const windowMs = windowDays * DAY_MS;

  const ordered = [...touches].sort(oldestFirst);
  const verdictOf = (touch: T): TouchVerdict => {
    const touchedMs = touch.touchedAt.getTime();
    if (!touch.accepted) return 'not_accepted';
    if (touchedMs > conversionMs) return 'after_conversion';
    return conversionMs < touchedMs + windowMs ? 'valid' : 'expired';
  };
  const verdicts = ordered.map((touch) => ({ touchId: touch.id, kind: touch.kind, verdict: verdictOf(touch) }));
  const valid = ordered.filter((_touch, i) => verdicts[i]?.verdict === 'valid');
  const referral = valid.find((t) => t.kind === 'referral');
  const affiliates = valid.filter((t) => t.kind === 'affiliate');

  if (referral) {
    const referralMs = referral.touchedAt.getTime();
    const soldBefore = affiliates.find((a) => a.saleAttributedAt != null && a.saleAttributedAt.getTime() < referralMs);
    if (soldBefore) return { winner: 'affiliate', touch: soldBefore, reason: 'affiliate_sale_before_referral', verdicts };
    return { winner: 'referral', touch: referral, reason: affiliates.length > 0 ? 'referral_over_affiliate' : 'referral_only', verdicts };
  }
  const affiliate = affiliates[0];
  if (affiliate) return { winner: 'affiliate', touch: affiliate, reason: 'affiliate_only', verdicts };
  return { winner: 'none', touch: null, reason: 'no_valid_touch', verdicts };
}

function oldestFirst(a: AttributionTouch, b: AttributionTouch): number {
  const byTime = a.touchedAt.getTime() - b.touchedAt.getTime();
  if (byTime !== 0) return byTime;
  // Ids are bigserial numbers as text: shorter is smaller, then lexicographic.
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
