import { type ConversionOutcome, type Referral, referralConversionState, type ReferralConversionState } from '@referrals/attribution';
import { type Reward } from '@referrals/ledger';

/** A referral as the decision records it (JSON: stored with the answer and replayed as it was). */
export interface ReferralRecord {
  id: string;
  product: string;
  refereeUserId: string;
  referrerUserId: string | null;
  status: 'qualified' | 'disqualified' | 'no_program';
  reasons: string[];
  programKey: string | null;
  programVersion: number | null;
  selection: { programKey: string; version: number; priority: number; code: string; explanation: string[] }[];
  signedUpAt: string;
  createdAt: string;
  /** How its conversions came out: awaiting_conversion, rewarded, not_rewarded (and why). */
  conversionState: ReferralConversionState;
  /** The eligibility reasons of its decided conversions (of the rewarding one once one rewarded). */
  conversionReasons: string[];
  conversions: ConversionOutcomeRecord[];
}

/** What one conversion decided, as the referral and the conversion show it. */
export interface ConversionOutcomeRecord {
  /** `{provider}:{sourceId}`: read it with `readConversion` (GET /v1/admin/conversions/{conversionId}). */
  conversionId: string;
  attributionId: string;
  decisionCode: string;
  rewarded: boolean;
  reasons: string[];
  recordedAt: string;
}

export function conversionOutcomeRecord(outcome: ConversionOutcome): ConversionOutcomeRecord {
  return {
    conversionId: outcome.conversionKey,
    attributionId: outcome.conversionId,
    decisionCode: outcome.decisionCode,
    rewarded: outcome.rewarded,
    reasons: [...outcome.reasons],
    recordedAt: outcome.recordedAt.toISOString(),
  };
}

/** A ledger reward (or a recorded non-grant: cap_limited, disqualified) as the decision records it. */
export interface RewardRecord {
  id: string;
  programKey: string;
  programVersion: number;
  product: string;
  sourceConversionId: string;
  sourceReferralId: string;
  role: 'referrer' | 'referee';
  beneficiaryId: string;
  status: string;
  kind: string | null;
  amountMinor: number | null;
  percent: string | null;
  baseMinor: number | null;
  unit: string | null;
  sourceTier: string | null;
  earnedAt: string;
  expiresAt: string | null;
  decisionReason: string;
  consumedByIssuanceId: string | null;
  appliedAt: string | null;
  statusChangedAt: string;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function referralRecord(referral: Referral): ReferralRecord {
  const { state, reasons } = referralConversionState(referral.outcomes);
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
    conversionState: state,
    conversionReasons: reasons,
    conversions: referral.outcomes.map(conversionOutcomeRecord),
  };
}

export function rewardRecord(reward: Reward): RewardRecord {
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
    sourceTier: reward.sourceTier,
    earnedAt: reward.earnedAt.toISOString(),
    expiresAt: iso(reward.expiresAt),
    decisionReason: reward.decisionReason,
    consumedByIssuanceId: reward.consumedByIssuanceId,
    appliedAt: iso(reward.appliedAt),
    statusChangedAt: reward.statusChangedAt.toISOString(),
  };
}
