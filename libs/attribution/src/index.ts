// The public API of @referrals/attribution. Everything else in src/ is internal.

// The service
export {
  createAttribution,
  createReferralCodeRegistry,
  type Attribution,
  type AttributionDeps,
  type ReferralCodeRegistry,
  type ReferralCodeRegistryDeps,
} from './attribution-service';

// Pure conversion-time attribution
export {
  ATTRIBUTION_REASONS,
  DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  resolveAttribution,
  type AttributionOutcome,
  type AttributionReason,
  type AttributionTouch,
  type AttributionWinner,
  type ResolveOptions,
  type TouchVerdict,
} from './resolve-attribution';

// Touches
export { type AssociateTouchesResult, type CaptureTouchResult, type Touch, type TouchKind, type TouchMetadata } from './touches';
export { TOUCH_STATUSES, type TouchStatus } from './tracking-values';
export { sanitizeLandingPath } from './landing-path';

// Referrals
export { REFERRAL_REASONS, type DisqualificationReason, type ReferralReason } from './referral-guards';
export {
  referralConversionState,
  type Referral,
  type ReferralConversionState,
  type ReferralRewardEvaluation,
  type ReferralStatus,
} from './referrals';
export { type ReferralCode } from './referral-codes';
export { type SignupOutcome, type SignupResult } from './signups';
export { type EligibilityFactsProvider, type EligibilityFactsRequest, type SelectionStep } from './program-selection';
export { hashEmail, normalizeEmail } from './email-tombstones';

// Conversions
export { type Conversion, type JoinTransaction, type RecordConversionResult } from './conversions';
export {
  type ConversionOutcome,
  type ConversionOutcomeListItem,
  type ListConversionOutcomesFilter,
  type RecordConversionOutcomeInput,
} from './conversion-outcomes';
export { type EligibilityMark, type MarkConversionEligibleInput } from './eligibility-marks';
export {
  PAYMENT_INSTRUMENT_OUTCOMES,
  type PaymentInstrumentOutcome,
  type RecordPaymentInstrumentInput,
  type WelcomePromoInstrumentInput,
} from './payment-instruments';
export {
  subscriptionKeyOf,
  type EarlierSubscription,
  type ListSubscriptionPaymentsFilter,
  type RecordSubscriptionPaymentInput,
  type SubscriptionPayment,
} from './subscription-history';

// Inputs, limits, errors
export {
  EMAIL_MAX_LENGTH,
  ID_MAX_LENGTH,
  LANDING_PATH_MAX_LENGTH,
  LIST_CONVERSIONS_MAX_LIMIT,
  LIST_REFERRALS_DEFAULT_LIMIT,
  LIST_REFERRALS_MAX_LIMIT,
  MAX_WINDOW_DAYS,
  METADATA_VALUE_MAX_LENGTH,
  TRACKING_VALUE_MAX_LENGTH,
  type AssociateTouchesInput,
  type BlockReferrerInput,
  type CaptureTouchInput,
  type ConversionKey,
  type EvaluateReferralRewardInput,
  type FindReferralInput,
  type ListConversionsFilter,
  type ListReferralsFilter,
  type ListTouchesFilter,
  type RecordAccountDeletionInput,
  type RecordConversionInput,
  type RecordSignupInput,
  type RegisterReferralCodeInput,
} from './attribution.schemas';
export {
  AttributionError,
  attributionErrorCatalog,
  attributionErrorCodes,
  isAttributionError,
  ISSUE_CODES,
  type AttributionErrorCode,
  type AttributionErrorKind,
  type AttributionIssue,
  type IssueCode,
} from './attribution.errors';
export {
  attributionMigrations,
} from './attribution.migrations';

// Erasure (issue 15): attribution's step, the tombstones it writes and its audit
export { deleteUnattributedTouches, eraseUserAttribution, listUserErasures, recordUserErasure, type UserErasureAudit } from './user-erasure';
export { writeDeletionTombstones } from './email-tombstones';
