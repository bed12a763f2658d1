import { eventTimeIssues } from '@referrals/config';
import { type ProgramStore } from '@referrals/programs';
import { type Sequelize, type Transaction } from 'sequelize';
import { type z } from 'zod';
import { AttributionError } from './attribution.errors';
import { parseInput, recordSignupSchema, type RecordSignupInput } from './attribution.schemas';
import { queryRows } from '@referrals/sql';
import { isDeletedAccount } from './email-tombstones';
import { type EligibilityFactsProvider, type ProgramSelection, selectProgram } from './program-selection';
import { resolveReferrer, type ReferrerResolution } from './referral-codes';
import { disqualificationReasons, referralCodeOf, type ReferralReason, signupReferralTouch } from './referral-guards';
import { type Referral, REFERRAL_COLUMNS, referralOf, type ReferralRow, type ReferralStatus, toReferral } from './referrals';
import { associateTouches, type Touch, touchesOfUser } from './touches';
import { type JoinTransaction } from './conversions';

export interface SignupDeps {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly clock: () => Date;
  readonly eligibilityFacts: EligibilityFactsProvider;
  readonly emailHashSecret: string;
  readonly normalizeEmail: (email: string) => string;
  /** How long a referral touch counts for a signup (days); the service default, 30. */
  readonly windowDays: number;
  /** How far past `clock` a sent `signedUpAt` may be (clock drift); default 5 minutes. */
  readonly maxFutureSkewMs?: number | undefined;
}

/**
 * - `referral_recorded`: a referral exists for this user and product (qualified, disqualified or
 *   without a program: see its status and reasons).
 * - `no_referral_touch`: the user has no accepted referral touch for the product within the
 *   window: there is nothing to refer (a later call with the anonymous session may find one).
 */
export type SignupOutcome = 'referral_recorded' | 'no_referral_touch';

export interface SignupResult {
  readonly outcome: SignupOutcome;
  readonly referral: Referral | null;
  /** True when the call decided nothing new (a replay): no row was written. */
  readonly replayed: boolean;
  /** Touches of the anonymous session given to the user by this call. */
  readonly associatedTouches: number;
  /** The signup time that stands (the first call's). */
  readonly signedUpAt: Date;
  /**
   * The referral touch this call decided the referral from (null on a replay or without one): the
   * caller queues what the touch asks for (the referee's Advocate registration with its cookie).
   */
  readonly decidedFrom: Touch | null;
}

interface SignupRow {
  signed_up_at: Date;
  deleted_account: boolean;
}

/**
 * Records a signup and, when the new user arrived through a valid referral touch, the referral.
 * Callable at signup and again on the first authenticated request (when the anonymous id may only
 * then be known): it associates the anonymous session's touches with the user, then decides.
 *
 * Deciding a referral: the oldest accepted referral touch of the product still in its window at
 * signup; its code resolves the referrer (per program: in the program the touch targeted, else in
 * the product's programs); the guards are checked and every failing one is recorded as a reason
 * (self-referral, existing account, deleted account, unknown/ambiguous/blocked referrer); with no
 * failing guard, the program is chosen (active, same product, signup in its inviting window,
 * lowest priority number whose eligibility matches) and its CURRENT version is pinned. No match
 * is still recorded, as `no_program` with its reason.
 *
 * Idempotent: once a referral exists for (product, user), a call returns it and changes nothing.
 * The first call's signup time and deleted-account check stand for later calls. Concurrent first
 * calls both decide, and a unique index keeps the first referral written; the other call returns
 * it as a replay. Nothing here grants a reward.
 *
 * A `signedUpAt` more than the clock skew ahead of the server's clock, or before 2000, is refused
 * (`time_in_future` / `time_too_old`) before anything is written. The whole decision is one
 * transaction (the caller's, with `options.transaction`), so what the caller queues for the
 * decided referral (`decidedFrom`) commits with it.
 */
export async function recordSignup(deps: SignupDeps, input: RecordSignupInput, options: JoinTransaction = {}): Promise<SignupResult> {
  const request = parseInput(recordSignupSchema, input, 'recordSignup');
  const { programs } = deps;
  const { product } = request;
  if (!programs.catalogs.has(product)) {
    throw new AttributionError('product_unknown', `product "${product}" is unknown`, {
      issues: [
        { code: 'product_unknown', path: 'product', message: `has no program catalog; known products: ${programs.catalogs.products().join(', ')}` },
      ],
    });
  }
  const [timeIssue, ...moreTimeIssues] = eventTimeIssues([{ path: 'signedUpAt', value: request.signedUpAt }], { now: deps.clock(), maxFutureSkewMs: deps.maxFutureSkewMs });
  if (timeIssue) {
    throw new AttributionError(timeIssue.code, `recordSignup: signedUpAt ${timeIssue.message}`, { issues: [timeIssue, ...moreTimeIssues] });
  }
  // One transaction: the signup, the touches it takes over, the referral, and whatever the caller
  // queues for them (in its own transaction when it passes one) commit together or not at all.
  return options.transaction ? decideSignup(deps, options.transaction, request) : deps.sequelize.transaction((t) => decideSignup(deps, t, request));
}

async function decideSignup(deps: SignupDeps, t: Transaction, request: z.output<typeof recordSignupSchema>): Promise<SignupResult> {
  const { sequelize, programs } = deps;
  const { product, userId } = request;
  const existingSignup = await signupOf(sequelize, t, product, userId);
  const decided = await referralOf(sequelize, t, product, userId);
  if (decided) {
    return { outcome: 'referral_recorded', referral: decided, replayed: true, associatedTouches: 0, signedUpAt: decided.signedUpAt, decidedFrom: null };
  }

  const { associated } = request.anonymousId ? await associateTouches(deps, { anonymousId: request.anonymousId, userId }, { transaction: t }) : { associated: 0 };
  const signup =
    existingSignup ??
    (await insertSignup(deps, t, {
      product,
      userId,
      signedUpAt: request.signedUpAt ?? deps.clock(),
      deletedAccount: await isDeletedAccount(deps, request.email, t),
    }));
  const signedUpAt = signup.signed_up_at;

  const touch = signupReferralTouch(await touchesOfUser(sequelize, t, userId, product), signedUpAt, deps.windowDays);
  if (!touch) {
    return {
      outcome: 'no_referral_touch',
      referral: null,
      replayed: existingSignup !== null && associated === 0,
      associatedTouches: associated,
      signedUpAt,
      decidedFrom: null,
    };
  }

  const code = referralCodeOf(touch);
  const referrer: ReferrerResolution = code === null ? { outcome: 'unknown' } : await resolveReferrer(sequelize, { product, programKey: touch.programKey, code }, t);
  const reasons: ReferralReason[] = disqualificationReasons({ refereeUserId: userId, signedUpAt, touch, deletedAccount: signup.deleted_account, referrer });

  let selection: ProgramSelection = { chosen: null, steps: [] };
  if (reasons.length === 0 && referrer.outcome === 'found' && code !== null) {
    // Every read on the transaction's connection: a second connection per signup could exhaust the pool under load.
    const candidates = (await programs.list({ product, status: 'active' }, { transaction: t })).map((version) => programs.compile(version));
    selection = await selectProgram(
      candidates,
      { product, referrerUserId: referrer.code.userId, refereeUserId: userId, referralCode: code, signedUpAt, isNewAccount: true, touch },
      deps.eligibilityFacts,
    );
  }
  const status: ReferralStatus = reasons.length > 0 ? 'disqualified' : selection.chosen ? 'qualified' : 'no_program';
  if (status === 'no_program') reasons.push('no_program_matched');

  const [inserted] = await queryRows<ReferralRow>(
    sequelize,
    t,
    `INSERT INTO attribution_referrals (product, referee_user_id, referrer_user_id, referral_code, touch_id, status, reasons,
       program_key, program_version, selection, signed_up_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10::jsonb, $11, $12)
     ON CONFLICT ON CONSTRAINT attribution_referrals_one_per_referee DO NOTHING
     RETURNING ${REFERRAL_COLUMNS}`,
    [
      product,
      userId,
      referrer.outcome === 'found' ? referrer.code.userId : null,
      code,
      touch.id,
      status,
      `{${reasons.join(',')}}`,
      selection.chosen?.key ?? null,
      selection.chosen?.version ?? null,
      JSON.stringify(selection.steps),
      signedUpAt,
      deps.clock(),
    ],
  );
  if (inserted) return { outcome: 'referral_recorded', referral: toReferral(inserted), replayed: false, associatedTouches: associated, signedUpAt, decidedFrom: touch };
  const winner = await referralOf(sequelize, t, product, userId);
  if (!winner) throw new Error('a conflicting referral vanished: referrals are never deleted');
  return { outcome: 'referral_recorded', referral: winner, replayed: true, associatedTouches: associated, signedUpAt, decidedFrom: null };
}

async function signupOf(sequelize: Sequelize, t: Transaction, product: string, userId: string): Promise<SignupRow | null> {
  const [row] = await queryRows<SignupRow>(
    sequelize,
    t,
    'SELECT signed_up_at, deleted_account FROM attribution_signups WHERE product = $1 AND user_id = $2',
    [product, userId],
  );
  return row ?? null;
}

async function insertSignup(
  deps: Pick<SignupDeps, 'sequelize' | 'clock'>,
  t: Transaction,
  signup: { product: string; userId: string; signedUpAt: Date; deletedAccount: boolean },
): Promise<SignupRow> {
  await queryRows(
    deps.sequelize,
    t,
    `INSERT INTO attribution_signups (product, user_id, signed_up_at, deleted_account, recorded_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (product, user_id) DO NOTHING RETURNING user_id`,
    [signup.product, signup.userId, signup.signedUpAt, signup.deletedAccount, deps.clock()],
  );
  // Read back rather than trust our values: a concurrent first call may have won.
  const row = await signupOf(deps.sequelize, t, signup.product, signup.userId);
  if (!row) throw new Error('a signup vanished right after it was stored');
  return row;
}
