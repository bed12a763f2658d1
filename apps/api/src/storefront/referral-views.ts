import { type Referral } from '@referrals/attribution';
import { type Reward } from '@referrals/ledger';
import { z } from 'zod';
import { iso } from '../openapi/common.schemas';

/** A referral as every endpoint shows it (decided once at signup, never changed). */
export const referralViewSchema = z
  .object({
    id: z.string(),
    product: z.string(),
    refereeUserId: z.string(),
    referrerUserId: z.string().nullable(),
    status: z.enum(['qualified', 'disqualified', 'no_program']),
    reasons: z.array(z.string()).meta({ description: 'Why it is not qualified: self_referral, existing_account, referrer_blocked, no_program_matched, ...' }),
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
  })
  .meta({ id: 'Referral' });

export type ReferralView = z.input<typeof referralViewSchema>;

export function referralView(referral: Referral): ReferralView {
  return {
    id: referral.id,
    product: referral.product,
    refereeUserId: referral.refereeUserId,
    referrerUserId: referral.referrerUserId,
    status: referral.status,
    reasons: [...referral.reasons],
    programKey: referral.programKey,
    programVersion: referral.programVersion,
    selection: referral.selection.map((s) => ({ ...s, explanation: [...s.explanation] })),
    signedUpAt: referral.signedUpAt.toISOString(),
    createdAt: referral.createdAt.toISOString(),
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
    earnedAt: z.string(),
    expiresAt: z.string().nullable(),
    decisionReason: z.string(),
    consumedByIssuanceId: z.string().nullable(),
    appliedAt: z.string().nullable(),
    statusChangedAt: z.string(),
  })
  .meta({ id: 'Reward' });

export type RewardView = z.input<typeof rewardViewSchema>;

export function rewardView(reward: Reward): RewardView {
  return {
    id: reward.id,
    programKey: reward.programKey,
    programVersion: reward.programVersion,
    product: reward.product,
    sourceConversionId: reward.sourceConversionId,
    sourceReferralId: reward.sourceReferralId,
    role: reward.role,
    beneficiaryId: reward.beneficiaryId,
    status: reward.status,
    kind: reward.kind,
    amountMinor: reward.amountMinor,
    percent: reward.percent,
    baseMinor: reward.baseMinor,
    unit: reward.unit,
    earnedAt: reward.earnedAt.toISOString(),
    expiresAt: iso(reward.expiresAt),
    decisionReason: reward.decisionReason,
    consumedByIssuanceId: reward.consumedByIssuanceId,
    appliedAt: iso(reward.appliedAt),
    statusChangedAt: reward.statusChangedAt.toISOString(),
  };
}
