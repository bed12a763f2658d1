import { TRACKING_VALUE_MAX_LENGTH } from './attribution.schemas';

/** Why a touch is (not) accepted; only `accepted` touches create referrals or win conversions. */
export const TOUCH_STATUSES = ['accepted', 'value_too_long', 'value_missing', 'product_unknown', 'program_unknown'] as const;
export type TouchStatus = (typeof TOUCH_STATUSES)[number];

/**
 * A tracking value as stored: opaque (never parsed, decoded or trimmed), at most 512 characters.
 * A longer value keeps its first 512 characters for diagnostics (never cutting a character in
 * half) and reports its original length, which makes the touch not accepted.
 */
export function storeTrackingValue(value: string | undefined): { stored: string | null; originalLength: number | null } {
  // The storefront sends an empty `_saasquatch` when there is no inbound referral: that is no value.
  if (value === undefined || value === '') return { stored: null, originalLength: null };
  if (value.length <= TRACKING_VALUE_MAX_LENGTH) return { stored: value, originalLength: null };
  let end = TRACKING_VALUE_MAX_LENGTH;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate: keep the pair together
  return { stored: value.slice(0, end), originalLength: value.length };
}

export interface TouchAssessment {
  readonly status: TouchStatus;
  readonly saasquatchCookie: string | null;
  readonly referralCode: string | null;
  readonly clickId: string | null;
  readonly rsCode: string | null;
  /** Original lengths of the values stored truncated, by field. */
  readonly truncated: Readonly<Record<string, number>>;
}

/**
 * Decides whether a touch is accepted, in this order: the product must be known, the program the
 * touch names (if any) must exist in that product, the touch must carry its tracking value (a
 * referral touch a `_saasquatch` value or a native code, an affiliate touch an `im_ref` click id),
 * no tracking value may exceed 512 characters, and a touch naming no program must resolve one
 * (`programResolved`, see `captureTouch`: a native code of the product's programs; never a cookie).
 *
 * SaaSquatch link metadata (`rsCode`, share and engagement media) never makes a referral touch on
 * its own [28]: without the `_saasquatch` value it is kept for diagnostics (`value_missing`).
 */
export function assessTouch(input: {
  kind: 'referral' | 'affiliate';
  saasquatchCookie?: string | undefined;
  referralCode?: string | undefined;
  clickId?: string | undefined;
  rsCode?: string | undefined;
  productKnown: boolean;
  programKnown: boolean;
  /** False for a touch that names no program and resolves none; default true. */
  programResolved?: boolean;
}): TouchAssessment {
  const values = {
    saasquatchCookie: storeTrackingValue(input.saasquatchCookie),
    referralCode: storeTrackingValue(input.referralCode),
    clickId: storeTrackingValue(input.clickId),
    rsCode: storeTrackingValue(input.rsCode),
  };
  const truncated = Object.fromEntries(
    Object.entries(values).flatMap(([field, v]) => (v.originalLength === null ? [] : [[field === 'rsCode' ? 'metadata.rsCode' : field, v.originalLength]])),
  );
  const hasValue =
    input.kind === 'referral'
      ? values.saasquatchCookie.stored !== null || values.referralCode.stored !== null
      : values.clickId.stored !== null;
  const status: TouchStatus = !input.productKnown
    ? 'product_unknown'
    : !input.programKnown
      ? 'program_unknown'
      : !hasValue
        ? 'value_missing'
        : Object.keys(truncated).length > 0
          ? 'value_too_long'
          : input.programResolved === false
            ? 'program_unknown'
            : 'accepted';
  return {
    status,
    saasquatchCookie: values.saasquatchCookie.stored,
    referralCode: values.referralCode.stored,
    clickId: values.clickId.stored,
    rsCode: values.rsCode.stored,
    truncated,
  };
}
