import { type Referral } from '@referrals/attribution';
import { type Delivery } from '@referrals/impact-sync';
import { type Reward } from '@referrals/ledger';
import { eligibilityReasons, referralRecord, rewardRecord } from '@referrals/rewarding';
import { z } from 'zod';
import { iso } from '../openapi/common.schemas';

const reasonCodes = Object.keys(eligibilityReasons).join(', ');

/** What one conversion decided, as the referral and the conversion show it. */
export const conversionOutcomeViewSchema = z
  .object({
    conversionId: z.string().meta({ description: '{provider}:{sourceId}: GET /v1/admin/conversions/{conversionId} shows it' }),
    attributionId: z.string(),
    decisionCode: z.string().meta({ description: 'The decision code (rewarded, no_rule_matched, earlier_subscription, ...)' }),
    rewarded: z.boolean().meta({ description: 'True when at least one role was granted a reward' }),
    reasons: z.array(z.string()).meta({ description: `Eligibility reasons when nobody (or not the referrer) was rewarded: ${reasonCodes}; or the decision code` }),
    recordedAt: z.string(),
  })
  .meta({ id: 'ConversionOutcome' });

/** A referral as every endpoint shows it (decided once at signup; its conversions' outcomes appended beside it). */
export const referralViewSchema = z
  .object({
    id: z.string(),
    product: z.string(),
    refereeUserId: z.string(),
    referrerUserId: z.string().nullable(),
    status: z.enum(['qualified', 'disqualified', 'no_program']),
    reasons: z.array(z.string()).meta({ description: 'Why it is not qualified: self_referral, signup_before_touch, deleted_account, referrer_unknown, referrer_blocked, no_program_matched, ...' }),
    programKey: z.string().nullable(),
    programVersion: z.int().nullable().meta({ description: 'The program version pinned at signup: rewards are always decided by it' }),
    selection: z.array(
      z.object({
        programKey: z.string(),
        version: z.int(),
        priority: z.int(),
        code: z.string(),
        explanation: z.array(z.string()),
      }),
    ),
    signedUpAt: z.string(),
    createdAt: z.string(),
    conversionState: z
      .enum(['awaiting_conversion', 'rewarded', 'not_rewarded'])
      .meta({ description: 'How its conversions came out: none decided yet; one rewarded; every decided one rewarded nobody' }),
    conversionReasons: z.array(z.string()).meta({ description: 'Why (the reasons of its decided conversions; of the rewarding one once one rewarded, e.g. referrer_cap_reached)' }),
    conversions: z.array(conversionOutcomeViewSchema).meta({ description: 'Each decided conversion of the referee, oldest first' }),
  })
  .meta({ id: 'Referral' });

export type ReferralView = z.input<typeof referralViewSchema>;

/** The same record a qualifying event's answer holds (rewarding's `referralRecord`). */
export function referralView(referral: Referral): ReferralView {
  return referralRecord(referral);
}

/**
 * Where an applied reward's redemption in Impact Advocate stands: the impact-sync delivery of the
 * reward-redemption workflow. The ledger's lifecycle ends at `applied`; `redeemed` is Impact's side.
 */
export const rewardRedemptionViewSchema = z
  .object({
    status: z
      .enum(['pending', 'retrying', 'redeemed', 'failed', 'disabled', 'suppressed'])
      .meta({ description: 'redeemed: Impact confirmed the redemption (or had it already); retrying: a transient failure, next attempt scheduled; failed: a permanent failure an operator must look at' }),
    attempts: z.int(),
    impactRewardId: z.string().nullable().meta({ description: 'The Impact reward chosen for this reward (persisted before redeeming)' }),
    lastError: z.object({ code: z.string(), message: z.string(), httpStatus: z.int().nullable() }).nullable(),
    nextAttemptAt: z.string().nullable(),
    redeemedAt: z.string().nullable(),
    workflowId: z.string().nullable().meta({ description: 'The Temporal workflow redeeming it' }),
  })
  .meta({ id: 'RewardRedemption' });

export type RewardRedemptionView = z.input<typeof rewardRedemptionViewSchema>;

export function rewardRedemptionView(delivery: Delivery): RewardRedemptionView {
  return {
    status: delivery.status === 'succeeded' ? 'redeemed' : delivery.status,
    attempts: delivery.attempts,
    impactRewardId: delivery.chosenImpactRewardId,
    lastError: delivery.lastError,
    nextAttemptAt: iso(delivery.nextAttemptAt),
    redeemedAt: delivery.status === 'succeeded' ? iso(delivery.completedAt) : null,
    workflowId: delivery.workflowId,
  };
}

/** A ledger reward (or a recorded decision that granted nothing: cap_limited, disqualified). */
export const rewardViewSchema = z
  .object({
    id: z.string(),
    programKey: z.string(),
    programVersion: z.int(),
    product: z.string(),
    sourceConversionId: z.string(),
    sourceReferralId: z.string(),
    role: z.enum(['referrer', 'referee']),
    beneficiaryId: z.string(),
    status: z.string().meta({ description: 'pending, earned, applied, reversed, expired, canceled, review_required, cap_limited, disqualified' }),
    kind: z.string().nullable(),
    amountMinor: z.int().nullable(),
    percent: z.string().nullable(),
    baseMinor: z.int().nullable(),
    unit: z.string().nullable().meta({ description: 'Currency (USD: amounts in cents) or unit (day, credit)' }),
    sourceTier: z.string().nullable().meta({ description: 'The tier of the source conversion the amount was computed from (tier_49); null when the event had none' }),
    earnedAt: z.string(),
    expiresAt: z.string().nullable(),
    decisionReason: z.string(),
    consumedByIssuanceId: z.string().nullable(),
    appliedAt: z.string().nullable(),
    statusChangedAt: z.string(),
    redemption: rewardRedemptionViewSchema.nullable().meta({ description: 'The Impact redemption of an applied reward; null while there is none' }),
  })
  .meta({ id: 'Reward' });

export type RewardView = z.input<typeof rewardViewSchema>;

/** `redemption`: the reward's redemption delivery, when the caller read it (see `withRedemptions`). */
export function rewardView(reward: Reward, redemption: Delivery | null = null): RewardView {
  // The record a qualifying event's answer holds (rewarding's `rewardRecord`), plus its redemption.
  return { ...rewardRecord(reward), redemption: redemption ? rewardRedemptionView(redemption) : null };
}
