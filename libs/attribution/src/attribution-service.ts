import { type ProgramStore } from '@referrals/programs';
import { type Sequelize } from 'sequelize';
import { conversionKeyString } from '@referrals/config';
import { type SqlWrite } from '@referrals/sql';
import { AttributionError } from './attribution.errors';
import {
  type AssociateTouchesInput,
  type BlockReferrerInput,
  type CaptureTouchInput,
  type ConversionKey,
  type EvaluateReferralRewardInput,
  type FindReferralInput,
  type ListConversionsFilter,
  type ListReferralsFilter,
  type ListTouchesFilter,
  MAX_WINDOW_DAYS,
  type RecordAccountDeletionInput,
  type RecordConversionInput,
  type RecordSignupInput,
  type RegisterReferralCodeInput,
} from './attribution.schemas';
import { type Conversion, findConversion, type JoinTransaction, listConversions, recordConversion, type RecordConversionResult } from './conversions';
import {
  type ConversionOutcome,
  type ConversionOutcomeListItem,
  conversionOutcomeOf,
  listConversionOutcomes,
  type ListConversionOutcomesFilter,
  newConversionOutcomeWrite,
  recordConversionOutcome,
  type RecordConversionOutcomeInput,
} from './conversion-outcomes';
import {
  type EarlierSubscription,
  listSubscriptionPayments,
  type ListSubscriptionPaymentsFilter,
  recordSubscriptionPayment,
  type RecordSubscriptionPaymentInput,
  type SubscriptionPayment,
} from './subscription-history';
import {
  erasePaymentInstrumentOwner,
  firstSettlementInstrumentClaimed,
  type PaymentInstrumentOutcome,
  recordPaymentInstrument,
  type RecordPaymentInstrumentInput,
  type WelcomePromoInstrumentInput,
} from './payment-instruments';
import { type EligibilityMark, eligibilityMarkOf, markConversionEligible, type MarkConversionEligibleInput } from './eligibility-marks';
import { normalizeEmail as defaultNormalizeEmail, recordAccountDeletion } from './email-tombstones';
import { type EligibilityFactsProvider } from './program-selection';
import { type ReferralCode, registerReferralCode, setReferrerBlocked } from './referral-codes';
import { evaluateReferralReward, findReferral, getReferral, listReferrals, type Referral, type ReferralRewardEvaluation } from './referrals';
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from './resolve-attribution';
import { recordSignup, type SignupResult } from './signups';
import {
  associateTouches,
  type AssociateTouchesResult,
  captureTouch,
  type CaptureTouchResult,
  listTouches,
  type Touch,
} from './touches';
import { createTouchBatchWriter, type TouchBatchWriterOptions } from './touch-batch-writer';
import { createTouchProgramLookup } from './touch-program-lookup';

export interface AttributionDeps {
  readonly sequelize: Sequelize;
  /** Products (catalog registry), programs and their pinned versions. */
  readonly programs: ProgramStore;
  /** The host's eligibility facts for program selection at signup. */
  readonly eligibilityFacts: EligibilityFactsProvider;
  /** Server secret keying the deleted-account email digests (at least 16 characters; keep it stable). */
  readonly emailHashSecret: string;
  /** The server's clock (UTC); injectable so tests pin time. */
  readonly clock?: () => Date;
  /** Attribution window (days) when no pinned program gives one, and how long a referral touch counts at signup; 30. */
  readonly defaultWindowDays?: number;
  /** How far past `clock` a host-sent instant (`signedUpAt`) may be (clock drift); default 5 minutes. */
  readonly maxFutureSkewMs?: number;
  /** Replaces the email normalization used for tombstones (see `normalizeEmail`). */
  readonly normalizeEmail?: (email: string) => string;
  /** Group commit of touch capture: batch size and INSERTs in flight (defaults 200 and 2). */
  readonly touchBatch?: TouchBatchWriterOptions;
}

/** The attribution service: every operation the api (and the worker) calls. */
export interface Attribution {
  captureTouch(input: CaptureTouchInput): Promise<CaptureTouchResult>;
  associateTouches(input: AssociateTouchesInput): Promise<AssociateTouchesResult>;
  listTouches(filter: ListTouchesFilter, options?: JoinTransaction): Promise<Touch[]>;
  registerReferralCode(input: RegisterReferralCodeInput): Promise<ReferralCode>;
  blockReferrer(input: BlockReferrerInput): Promise<{ readonly codes: number }>;
  unblockReferrer(input: BlockReferrerInput): Promise<{ readonly codes: number }>;
  recordAccountDeletion(input: RecordAccountDeletionInput): Promise<void>;
  /** With `transaction`: joins the caller's transaction (which queues what the signup asks for). */
  recordSignup(input: RecordSignupInput, options?: JoinTransaction): Promise<SignupResult>;
  getReferral(id: string): Promise<Referral>;
  findReferral(input: FindReferralInput): Promise<Referral | null>;
  listReferrals(filter?: ListReferralsFilter): Promise<Referral[]>;
  evaluateReferralReward(input: EvaluateReferralRewardInput): Promise<ReferralRewardEvaluation>;
  /** With `transaction`: joins the caller's transaction (the caller restarts it on a serialization failure). */
  recordConversion(input: RecordConversionInput, options?: JoinTransaction): Promise<RecordConversionResult>;
  findConversion(key: ConversionKey, options?: JoinTransaction): Promise<Conversion | null>;
  /** A user's conversions, newest first (support). */
  listConversions(filter: ListConversionsFilter): Promise<Conversion[]>;
  /** Records a subscription payment in the caller's transaction; answers whether an earlier subscription exists (Kilo rule 99). */
  recordSubscriptionPayment(input: RecordSubscriptionPaymentInput, options: Required<JoinTransaction>): Promise<{ earlierSubscription: EarlierSubscription | null }>;
  listSubscriptionPayments(filter: ListSubscriptionPaymentsFilter): Promise<SubscriptionPayment[]>;
  /** Records what a conversion decided (code, reasons), in the caller's transaction; the first recording stands. */
  recordConversionOutcome(input: RecordConversionOutcomeInput, options: Required<JoinTransaction>): Promise<ConversionOutcome>;
  /**
   * The outcome of a conversion this transaction recorded (`replayed: false`) as a write to run
   * with the caller's last writes, and the outcome it records (one round trip fewer per event).
   */
  newConversionOutcomeWrite(input: RecordConversionOutcomeInput, conversionKey: ConversionKey): { write: SqlWrite; outcome: ConversionOutcome };
  conversionOutcome(conversionId: string, options?: JoinTransaction): Promise<ConversionOutcome | null>;
  listConversionOutcomes(filter?: ListConversionOutcomesFilter): Promise<ConversionOutcomeListItem[]>;
  /** An operator marks a not-yet-recorded conversion eligible (Kilo rules 69, 173); audited, the first mark stands. */
  markConversionEligible(input: MarkConversionEligibleInput): Promise<{ mark: EligibilityMark; replayed: boolean }>;
  eligibilityMark(key: ConversionKey, options?: JoinTransaction): Promise<EligibilityMark | null>;
  /** The payment-instrument guard (Kilo rules 176-184): claims the instrument or reads its owner, in the caller's transaction. */
  recordPaymentInstrument(input: RecordPaymentInstrumentInput, options: Required<JoinTransaction>): Promise<PaymentInstrumentOutcome>;
  /** Whether the user's first positive monthly settlement used an instrument another account claimed (no welcome promo, rule 179). */
  firstSettlementInstrumentClaimed(input: WelcomePromoInstrumentInput, options?: JoinTransaction): Promise<boolean>;
  /** Erasure: nulls the user's reference on claims and uses, keeps the claims (rule 182). */
  erasePaymentInstrumentOwner(userId: string, options: Required<JoinTransaction>): Promise<{ claims: number; uses: number }>;
}

export interface ReferralCodeRegistryDeps {
  readonly sequelize: Sequelize;
  /** Where the program of a code is looked up (`program_unknown` otherwise). */
  readonly programs: ProgramStore;
  readonly clock?: () => Date;
}

/** The referral-code part of the service: what a host that only learns codes needs. */
export type ReferralCodeRegistry = Pick<Attribution, 'registerReferralCode' | 'blockReferrer' | 'unblockReferrer'>;

/**
 * Referral codes only, for hosts that record codes but never decide signups or conversions (the
 * worker stores the code Impact Advocate returned): it needs no eligibility facts and no email
 * hash secret. Same tables and rules as `createAttribution(...).registerReferralCode`.
 */
export function createReferralCodeRegistry(deps: ReferralCodeRegistryDeps): ReferralCodeRegistry {
  const base = { sequelize: deps.sequelize, programs: deps.programs, clock: deps.clock ?? (() => new Date()) };
  return {
    registerReferralCode: (input) => registerReferralCode(base, input),
    blockReferrer: (input) => setReferrerBlocked(base, input, true),
    unblockReferrer: (input) => setReferrerBlocked(base, input, false),
  };
}

/** Builds the service from its dependencies; checks them once, here, and fails fast. */
export function createAttribution(deps: AttributionDeps): Attribution {
  const clock = deps.clock ?? (() => new Date());
  const windowDays = deps.defaultWindowDays ?? DEFAULT_ATTRIBUTION_WINDOW_DAYS;
  const normalizeEmail = deps.normalizeEmail ?? defaultNormalizeEmail;
  if (typeof deps.emailHashSecret !== 'string' || deps.emailHashSecret.length < 16) {
    throw new AttributionError('config_invalid', 'emailHashSecret must be a server secret of at least 16 characters');
  }
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > MAX_WINDOW_DAYS) {
    throw new AttributionError('config_invalid', `defaultWindowDays must be an integer in [1, ${MAX_WINDOW_DAYS}]`);
  }
  const { sequelize, programs } = deps;
  const base = { sequelize, programs, clock };
  const codes = createReferralCodeRegistry(base);
  const capture = { ...base, touchWriter: createTouchBatchWriter(sequelize, deps.touchBatch), programLookup: createTouchProgramLookup(sequelize) };
  const tombstones = { sequelize, clock, emailHashSecret: deps.emailHashSecret, normalizeEmail };

  return {
    captureTouch: (input) => captureTouch(capture, input),
    associateTouches: (input) => associateTouches(base, input),
    listTouches: (filter, options) => listTouches(sequelize, filter, options),
    ...codes,
    recordAccountDeletion: (input) => recordAccountDeletion(tombstones, input),
    recordSignup: (input, options) =>
      recordSignup({ ...base, ...tombstones, eligibilityFacts: deps.eligibilityFacts, windowDays, maxFutureSkewMs: deps.maxFutureSkewMs }, input, options),
    getReferral: (id) => getReferral(sequelize, id),
    findReferral: (input) => findReferral(sequelize, input),
    listReferrals: (filter) => listReferrals(sequelize, filter),
    evaluateReferralReward: (input) => evaluateReferralReward(base, input),
    recordConversion: (input, options) => recordConversion({ ...base, defaultWindowDays: windowDays }, input, options),
    findConversion: (key, options) => findConversion(sequelize, key, options),
    listConversions: (filter) => listConversions(sequelize, filter),
    recordSubscriptionPayment: (input, options) => recordSubscriptionPayment(sequelize, options.transaction, input, clock()),
    listSubscriptionPayments: (filter) => listSubscriptionPayments(sequelize, filter),
    recordConversionOutcome: (input, options) => recordConversionOutcome(sequelize, options.transaction, input, clock()),
    newConversionOutcomeWrite: (input, key) => newConversionOutcomeWrite(input, conversionKeyString(key), clock()),
    conversionOutcome: (conversionId, options) => conversionOutcomeOf(sequelize, conversionId, options?.transaction),
    listConversionOutcomes: (filter) => listConversionOutcomes(sequelize, filter),
    markConversionEligible: (input) => markConversionEligible({ sequelize, clock }, input),
    eligibilityMark: (key, options) => eligibilityMarkOf(sequelize, key, options?.transaction),
    recordPaymentInstrument: (input, options) => recordPaymentInstrument(sequelize, options.transaction, input, clock()),
    firstSettlementInstrumentClaimed: (input, options) => firstSettlementInstrumentClaimed(sequelize, input, options?.transaction),
    erasePaymentInstrumentOwner: (userId, options) => erasePaymentInstrumentOwner(sequelize, options.transaction, userId),
  };
}
