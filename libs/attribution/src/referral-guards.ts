import { type ReferrerResolution } from './referral-codes';
import { type Touch } from './touches';

/**
 * Why a referral is not qualified, in the order they are checked and listed:
 * - `self_referral`: the referrer and the referee are the same user;
 * - `signup_before_touch`: the host dated the signup before the referral touch (the account existed
 *   when its user followed the link: not a brand-new account [64, 65]);
 * - `existing_account`: what `signup_before_touch` was recorded as before it had its own reason
 *   (kept readable on those referrals; no longer recorded);
 * - `deleted_account`: the email belongs to a previously deleted account (tombstone digest);
 * - `referrer_unknown`: the touch carries no code (a `_saasquatch` cookie alone names no local
 *   referrer) or the code belongs to nobody in the product's programs;
 * - `referrer_ambiguous`: without a targeted program, the code belongs to different users in
 *   different programs of the product;
 * - `referrer_blocked`: the referrer's code is blocked;
 * - `no_program_matched`: no guard failed, but no active program of the product, in its inviting
 *   window at signup, had eligibility matching.
 */
export const REFERRAL_REASONS = [
  'self_referral',
  'signup_before_touch',
  'existing_account',
  'deleted_account',
  'referrer_unknown',
  'referrer_ambiguous',
  'referrer_blocked',
  'no_program_matched',
] as const;
export type ReferralReason = (typeof REFERRAL_REASONS)[number];
export type DisqualificationReason = Exclude<ReferralReason, 'no_program_matched'>;

/** The code a referral touch names: the native code, else the SaaSquatch `rsCode` link parameter. */
export function referralCodeOf(touch: Touch): string | null {
  return touch.referralCode ?? touch.metadata.rsCode ?? null;
}

/**
 * The referral touch a signup is decided from: the oldest accepted referral touch of the product
 * whose window had not ended at signup. Touches after the signup count too: they are how an
 * existing account that follows a referral link is recognised (and disqualified).
 */
export function signupReferralTouch(touches: readonly Touch[], signedUpAt: Date, windowDays: number): Touch | null {
  const windowMs = windowDays * 86_400_000;
  const candidates = touches
    .filter((t) => t.kind === 'referral' && t.accepted && signedUpAt.getTime() < t.touchedAt.getTime() + windowMs)
    .sort((a, b) => a.touchedAt.getTime() - b.touchedAt.getTime() || a.id.length - b.id.length || (a.id < b.id ? -1 : 1));
  return candidates[0] ?? null;
}

/** Every guard that fails, in the order of REFERRAL_REASONS. Pure. */
export function disqualificationReasons(input: {
  readonly refereeUserId: string;
  readonly signedUpAt: Date;
  readonly touch: Touch;
  readonly deletedAccount: boolean;
  readonly referrer: ReferrerResolution;
}): DisqualificationReason[] {
  const { referrer } = input;
  const reasons: DisqualificationReason[] = [];
  if (referrer.outcome === 'found' && referrer.code.userId === input.refereeUserId) reasons.push('self_referral');
  if (input.signedUpAt.getTime() < input.touch.touchedAt.getTime()) reasons.push('signup_before_touch');
  if (input.deletedAccount) reasons.push('deleted_account');
  if (referrer.outcome === 'unknown') reasons.push('referrer_unknown');
  if (referrer.outcome === 'ambiguous') reasons.push('referrer_ambiguous');
  if (referrer.outcome === 'found' && referrer.code.blockedAt !== null) reasons.push('referrer_blocked');
  return reasons;
}
