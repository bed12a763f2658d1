import { type ProgramStore } from '@referrals/programs';
import { type RewardEvaluation } from '@referrals/rule-dsl';
import { type Sequelize, type Transaction } from 'sequelize';
import { AttributionError } from './attribution.errors';
import {
  evaluateReferralRewardSchema,
  findReferralSchema,
  listReferralsSchema,
  parseInput,
  referralIdSchema,
  type EvaluateReferralRewardInput,
  type FindReferralInput,
  type ListReferralsFilter,
} from './attribution.schemas';
import { queryRows } from '@referrals/sql';
import { type ConversionOutcome, type ConversionOutcomeRow, REFERRAL_OUTCOMES_COLUMN, toConversionOutcome } from './conversion-outcomes';
import { type SelectionStep } from './program-selection';
import { type ReferralReason } from './referral-guards';

/**
 * - `qualified`: a program version is pinned; rewards are evaluated with that version.
 * - `disqualified`: a guard failed (`reasons`); no program was chosen.
 * - `no_program`: no active program in its inviting window matched (`reasons`: no_program_matched).
 */
export type ReferralStatus = 'qualified' | 'disqualified' | 'no_program';

/**
 * How the referral's conversions came out (Kilo error handling 6): `awaiting_conversion` until a
 * qualifying event of the referee is decided; `rewarded` once one rewarded (its reasons may still
 * say `referrer_cap_reached`); `not_rewarded` while every decided event rewarded nobody, with the
 * eligibility reasons of those events (`annual_subscription`, `earlier_subscription`, ...).
 */
export type ReferralConversionState = 'awaiting_conversion' | 'rewarded' | 'not_rewarded';

/** A referral, decided once at signup and never changed afterwards (its conversions' outcomes are appended beside it). */
export interface Referral {
  readonly id: string;
  readonly product: string;
  readonly refereeUserId: string;
  /** Null when the code resolved to nobody (or to several users). */
  readonly referrerUserId: string | null;
  readonly referralCode: string | null;
  /** The referral touch the referral was decided from. */
  readonly touchId: string;
  readonly status: ReferralStatus;
  readonly reasons: readonly ReferralReason[];
  /** The program version applied when the referral was created; later edits never change it. */
  readonly programKey: string | null;
  readonly programVersion: number | null;
  /** What each candidate program answered, highest priority first. */
  readonly selection: readonly SelectionStep[];
  readonly signedUpAt: Date;
  readonly createdAt: Date;
  /** What each decided conversion of the referee gave, oldest first. */
  readonly outcomes: readonly ConversionOutcome[];
}

/** The referral's conversion state and reasons, from its outcomes (see ReferralConversionState). */
export function referralConversionState(outcomes: readonly ConversionOutcome[]): { state: ReferralConversionState; reasons: string[] } {
  const rewarded = outcomes.filter((o) => o.rewarded);
  const decisive = rewarded.length > 0 ? rewarded : outcomes;
  const state: ReferralConversionState = outcomes.length === 0 ? 'awaiting_conversion' : rewarded.length > 0 ? 'rewarded' : 'not_rewarded';
  return { state, reasons: [...new Set(decisive.flatMap((o) => o.reasons))] };
}

export interface ReferralRow {
  id: string;
  product: string;
  referee_user_id: string;
  referrer_user_id: string | null;
  referral_code: string | null;
  touch_id: string;
  status: ReferralStatus;
  reasons: ReferralReason[];
  program_key: string | null;
  program_version: number | null;
  selection: SelectionStep[];
  signed_up_at: Date;
  created_at: Date;
  outcomes: ConversionOutcomeRow[];
}

export const REFERRAL_COLUMNS = `id, product, referee_user_id, referrer_user_id, referral_code, touch_id, status, reasons, program_key,
  program_version, selection, signed_up_at, created_at, ${REFERRAL_OUTCOMES_COLUMN}`;

export function toReferral(row: ReferralRow): Referral {
  return {
    id: String(row.id),
    product: row.product,
    refereeUserId: row.referee_user_id,
    referrerUserId: row.referrer_user_id,
    referralCode: row.referral_code,
    touchId: String(row.touch_id),
    status: row.status,
    reasons: row.reasons,
    programKey: row.program_key,
    programVersion: row.program_version,
    selection: row.selection,
    signedUpAt: row.signed_up_at,
    createdAt: row.created_at,
    outcomes: (row.outcomes ?? []).map(toConversionOutcome),
  };
}

export async function referralOf(
  sequelize: Sequelize,
  transaction: Transaction | undefined,
  product: string,
  refereeUserId: string,
): Promise<Referral | null> {
  const [row] = await queryRows<ReferralRow>(
    sequelize,
    transaction,
    `SELECT ${REFERRAL_COLUMNS} FROM attribution_referrals WHERE product = $1 AND referee_user_id = $2`,
    [product, refereeUserId],
    // In a transaction: on its connection directly (the qualifying-event hot path).
    { direct: true, prepare: true },
  );
  return row ? toReferral(row) : null;
}

export async function findReferral(sequelize: Sequelize, input: FindReferralInput): Promise<Referral | null> {
  const { product, refereeUserId } = parseInput(findReferralSchema, input, 'findReferral');
  return referralOf(sequelize, undefined, product, refereeUserId);
}

export async function getReferral(sequelize: Sequelize, id: string): Promise<Referral> {
  const referralId = parseInput(referralIdSchema, id, 'getReferral');
  const [row] = await queryRows<ReferralRow>(sequelize, undefined, `SELECT ${REFERRAL_COLUMNS} FROM attribution_referrals WHERE id = $1`, [referralId]);
  if (!row) throw new AttributionError('referral_not_found', `no referral has id ${referralId}`, { details: { referralId } });
  return toReferral(row);
}

/**
 * Decided referrals by status, product, program or user, newest first (the id is a sequence, so
 * the order is total and stable across pages), one page of `limit` at a time: pass the last id
 * as `beforeId` for the next page. Operators read it (disqualified referrals and their reasons);
 * read-only, one statement.
 */
export async function listReferrals(sequelize: Sequelize, filter: ListReferralsFilter = {}): Promise<Referral[]> {
  const f = parseInput(listReferralsSchema, filter, 'listReferrals');
  const statuses = f.status === undefined ? null : Array.isArray(f.status) ? f.status : [f.status];
  const rows = await queryRows<ReferralRow>(
    sequelize,
    undefined,
    `SELECT ${REFERRAL_COLUMNS} FROM attribution_referrals
      WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
        AND ($2::text IS NULL OR product = $2)
        AND ($3::text IS NULL OR program_key = $3)
        AND ($4::text IS NULL OR referrer_user_id = $4)
        AND ($5::text IS NULL OR referee_user_id = $5)
        AND ($6::bigint IS NULL OR id < $6::bigint)
      ORDER BY id DESC LIMIT $7`,
    [statuses, f.product ?? null, f.programKey ?? null, f.referrerUserId ?? null, f.refereeUserId ?? null, f.beforeId ?? null, f.limit],
  );
  return rows.map(toReferral);
}

export type ReferralRewardEvaluation =
  | {
      readonly evaluated: true;
      readonly referral: Referral;
      readonly programKey: string;
      readonly programVersion: number;
      readonly evaluation: RewardEvaluation;
    }
  | { readonly evaluated: false; readonly referral: Referral; readonly reason: 'referral_not_qualified' };

/**
 * Evaluates a trigger event's reward rules for a referral with the program version PINNED on it,
 * whatever the program's current version is: a referral is decided by the rules it was created
 * under. A referral that is not qualified has no program, so nothing is evaluated (as data).
 */
export async function evaluateReferralReward(
  deps: { readonly sequelize: Sequelize; readonly programs: ProgramStore },
  input: EvaluateReferralRewardInput,
): Promise<ReferralRewardEvaluation> {
  const { referralId, trigger, facts, at } = parseInput(evaluateReferralRewardSchema, input, 'evaluateReferralReward');
  const referral = await getReferral(deps.sequelize, referralId);
  if (referral.status !== 'qualified' || referral.programKey === null || referral.programVersion === null) {
    return { evaluated: false, referral, reason: 'referral_not_qualified' };
  }
  const pinned = await deps.programs.load(referral.programKey, referral.programVersion);
  return {
    evaluated: true,
    referral,
    programKey: pinned.key,
    programVersion: pinned.version,
    evaluation: pinned.compiled.evaluateReward(trigger, facts, { at }),
  };
}
