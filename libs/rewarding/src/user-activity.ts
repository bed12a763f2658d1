import { type Attribution, type Referral, type Touch } from '@referrals/attribution';
import { listRewards, type Reward } from '@referrals/ledger';
import { conversionKeyString } from '@referrals/config';
import { type Sequelize } from 'sequelize';
import { conversionRecordOf, type ConversionRecord, type ReadConversionDeps } from './conversion-records';
import { readDecisionRecord } from './decision-records';

/** At most this many of each list: a support lookup reads one user's pages, never a table. */
export const USER_ACTIVITY_LIMIT = 200;

/** Characters of an opaque tracking value support sees: enough to tell two apart, never the value. */
export const TRACKING_PREVIEW_LENGTH = 6;

/** An opaque tracking value (cookie, code, click id) as support sees it: its start and its length. */
export interface TrackingPreview {
  preview: string;
  length: number;
}

/** A touch as support reads it: what, when, whether it counted; tracking values shortened. */
export interface TouchRecord {
  id: string;
  kind: 'referral' | 'affiliate';
  product: string;
  programKey: string | null;
  status: string;
  accepted: boolean;
  saasquatchCookie: TrackingPreview | null;
  referralCode: TrackingPreview | null;
  clickId: TrackingPreview | null;
  landingPath: string | null;
  touchedAt: string;
  associatedAt: string | null;
  saleAttributedConversionId: string | null;
}

/** Everything recorded about one user, for the support view (read-only). */
export interface UserActivity {
  userId: string;
  touches: TouchRecord[];
  /** The user's referrals as the referee (at most one per product). */
  referred: Referral[];
  /** Referrals the user made (as the referrer), newest first. */
  referrals: Referral[];
  /** The user's conversions (payments, lessons), newest first, each with who won and why, and what was decided. */
  conversions: ConversionRecord[];
  /** Rewards where the user is the beneficiary, oldest first. */
  rewards: Reward[];
}

export interface ReadUserActivityDeps {
  readonly sequelize: Sequelize;
  readonly attribution: Pick<Attribution, 'listTouches' | 'listReferrals' | 'listConversions' | 'conversionOutcome'>;
  /** The products' fact catalogs, to read the decision records back (as `readConversion` does). */
  readonly programs?: ReadConversionDeps['programs'];
}

/**
 * Shortens an opaque tracking value: support compares the start with what the customer reports,
 * the full value (a cookie, a click id) never leaves the database through this view.
 */
export function trackingPreview(value: string | null): TrackingPreview | null {
  if (value === null) return null;
  const preview = value.length <= TRACKING_PREVIEW_LENGTH ? value : `${value.slice(0, TRACKING_PREVIEW_LENGTH)}…`;
  return { preview, length: value.length };
}

function touchRecord(t: Touch): TouchRecord {
  return {
    id: t.id,
    kind: t.kind,
    product: t.product,
    programKey: t.programKey,
    status: t.status,
    accepted: t.accepted,
    // A value stored truncated had this original length.
    saasquatchCookie: withOriginalLength(trackingPreview(t.saasquatchCookie), t.truncated['saasquatchCookie']),
    referralCode: withOriginalLength(trackingPreview(t.referralCode), t.truncated['referralCode']),
    clickId: withOriginalLength(trackingPreview(t.clickId), t.truncated['clickId']),
    landingPath: t.landingPath,
    touchedAt: t.touchedAt.toISOString(),
    associatedAt: t.associatedAt?.toISOString() ?? null,
    saleAttributedConversionId: t.saleAttributedConversionId,
  };
}

const withOriginalLength = (p: TrackingPreview | null, original: number | undefined): TrackingPreview | null => (p && original ? { ...p, length: original } : p);

/** A user's touches, referrals (both sides), conversions with their winning touch and outcome, and rewards. */
export async function readUserActivity(deps: ReadUserActivityDeps, userId: string): Promise<UserActivity> {
  const { attribution } = deps;
  const [touches, referred, referrals, conversions, rewards] = await Promise.all([
    attribution.listTouches({ userId }),
    attribution.listReferrals({ refereeUserId: userId, limit: USER_ACTIVITY_LIMIT }),
    attribution.listReferrals({ referrerUserId: userId, limit: USER_ACTIVITY_LIMIT }),
    attribution.listConversions({ userId, limit: USER_ACTIVITY_LIMIT }),
    listRewards(deps.sequelize, { beneficiaryId: userId, limit: USER_ACTIVITY_LIMIT }),
  ]);
  const [outcomes, decisions] = await Promise.all([
    Promise.all(conversions.map((c) => attribution.conversionOutcome(c.id))),
    // "Why did this user get nothing?" answered from the record of each decision, not by re-running it.
    Promise.all(conversions.map((c) => readDecisionRecord(deps.sequelize, conversionKeyString({ provider: c.provider, sourceId: c.sourceId }), (product) => deps.programs?.catalogs.get(product), c.product))),
  ]);
  return {
    userId,
    touches: touches.slice(-USER_ACTIVITY_LIMIT).reverse().map(touchRecord),
    referred,
    referrals,
    conversions: conversions.map((c, i) => conversionRecordOf(c, outcomes[i] ?? null, decisions[i] ?? null)),
    rewards,
  };
}
