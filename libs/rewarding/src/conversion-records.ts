import { type AttributionReason, type Attribution, type Conversion, type ConversionOutcome } from '@referrals/attribution';
import { listRewards, type Reward } from '@referrals/ledger';
import { conversionKeyString, parseConversionKey } from '@referrals/config';
import { type FactCatalog } from '@referrals/rule-dsl';
import { type Sequelize } from 'sequelize';
import { readDecisionRecord, type DecisionRecordView } from './decision-records';
import { conversionOutcomeRecord, type ConversionOutcomeRecord } from './records';
import { RewardingError } from './rewarding.errors';

/** Why the winner won, in words (the codes are `ATTRIBUTION_REASONS` of @referrals/attribution). */
export const attributionReasonText: Record<AttributionReason, string> = {
  referral_only: 'the oldest valid referral touch won; there was no valid affiliate touch',
  referral_over_affiliate: 'a valid referral touch won over valid affiliate touches, none of which had a SALE before it',
  affiliate_sale_before_referral: 'a valid affiliate touch had already won a SALE before the referral touch happened, so it kept the customer',
  affiliate_only: 'no valid referral touch; the oldest valid affiliate touch won',
  no_valid_touch: 'no valid touch (none, all expired, or none accepted): nobody won',
};

/** A conversion as support reads it on its own (Kilo rules 118, 135, 172): who won and why, what was decided, what it granted. */
export interface ConversionRecord {
  /** `{provider}:{sourceId}`: the id rewards carry as `sourceConversionId`. */
  id: string;
  attributionId: string;
  provider: string;
  sourceId: string;
  product: string;
  userId: string;
  conversionTime: string;
  sale: boolean;
  windowDays: number;
  winner: 'referral' | 'affiliate' | 'none';
  reason: AttributionReason;
  reasonText: string;
  winningTouch: { id: string; kind: 'referral' | 'affiliate' } | null;
  verdicts: { touchId: string; kind: 'referral' | 'affiliate'; verdict: string }[];
  /** The user's referral the outcome was recorded on, if any. */
  referralId: string | null;
  /** What rewarding decided (code, rewarded, reasons); null for a conversion recorded without rewarding. */
  outcome: ConversionOutcomeRecord | null;
  /** What the rules saw and said (issue 18): facts, program version, code, rule, per-condition explanation; null before decision records existed. */
  decision: DecisionRecordView | null;
  recordedAt: string;
}

export interface ReadConversionDeps {
  readonly sequelize: Sequelize;
  readonly attribution: Pick<Attribution, 'findConversion' | 'conversionOutcome'>;
  /** The product's fact catalog, to put the user-id facts back into a decision record (their datatype). */
  readonly programs?: { readonly catalogs: { get(product: string): FactCatalog | undefined } };
}


/**
 * A conversion by its id (`{provider}:{sourceId}`, the id a reward names as its source), with the
 * rewards it granted or recorded as not granted. `conversion_not_found` when nothing has that id.
 */
export async function readConversion(deps: ReadConversionDeps, conversionId: string): Promise<{ conversion: ConversionRecord; rewards: Reward[] }> {
  const key = parseConversionKey(conversionId);
  const found = key ? await deps.attribution.findConversion(key) : null;
  if (!found) throw new RewardingError('conversion_not_found', `no conversion has id ${conversionId}`, { details: { conversionId } });
  const [outcome, rewards, decision] = await Promise.all([
    deps.attribution.conversionOutcome(found.id),
    listRewards(deps.sequelize, { sourceConversionId: conversionId, limit: 10 }),
    readDecisionRecord(deps.sequelize, conversionId, (product) => deps.programs?.catalogs.get(product), found.product),
  ]);
  return { conversion: conversionRecordOf(found, outcome, decision), rewards };
}

/** The attribution record, its recorded outcome and decision record (if any), as support reads them. */
export function conversionRecordOf(found: Conversion, outcome: ConversionOutcome | null, decision: DecisionRecordView | null = null): ConversionRecord {
  return {
    id: conversionKeyString({ provider: found.provider, sourceId: found.sourceId }),
    attributionId: found.id,
    provider: found.provider,
    sourceId: found.sourceId,
    product: found.product,
    userId: found.userId,
    conversionTime: found.conversionTime.toISOString(),
    sale: found.sale,
    windowDays: found.windowDays,
    winner: found.winner,
    reason: found.reason,
    reasonText: attributionReasonText[found.reason],
    winningTouch: found.winningTouchId && found.winningTouchKind ? { id: found.winningTouchId, kind: found.winningTouchKind } : null,
    verdicts: found.verdicts.map((v) => ({ touchId: v.touchId, kind: v.kind, verdict: v.verdict })),
    referralId: outcome?.referralId ?? found.referralId,
    outcome: outcome ? conversionOutcomeRecord(outcome) : null,
    decision,
    recordedAt: found.recordedAt.toISOString(),
  };
}
