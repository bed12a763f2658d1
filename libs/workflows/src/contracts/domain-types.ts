/**
 * Names the workflows share with the domain libs, spelled out here: the workflow sandbox (and this
 * lib's typecheck) must not pull in ledger or impact-sync sources, which use Node built-ins. The
 * worker checks at compile time that they equal `@referrals/ledger`'s and `@referrals/impact-sync`'s
 * (apps/worker/src/contract-types.ts).
 */

/** `@referrals/ledger` BonusLikeItemKind: at most one per issuance. */
export type BonusLikeItemKind = 'bonus' | 'promo_first_month_50pct' | 'referral_bonus';
/** `@referrals/ledger` ClaimableItemKind (`referral_bonus` is created only by applying a reward). */
export type ClaimableItemKind = 'bonus' | 'promo_first_month_50pct';

/** `@referrals/impact-sync` DeliveryKind. */
export type DeliveryKind = 'participant_registration' | 'referral_sale' | 'affiliate_sale' | 'sale_reversal' | 'reward_redemption';
/** `@referrals/impact-sync` DeliveryStatus. */
export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'disabled' | 'suppressed';
