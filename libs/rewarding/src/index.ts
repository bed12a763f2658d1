// The public API of @referrals/rewarding.
export { conversionKeyString, parseConversionKey, type ConversionKey } from '@referrals/config';
export { DECISION_CODES, decisionCodes, type DecisionCode } from './decision-codes';
export { currencyOf, DEFAULT_MAX_REWARD_MINOR, type RewardingProduct, type RewardingProducts } from './products';
export {
  LESSON_EVENTS_PROVIDER,
  PAYMENT_ORIGINS,
  type PaymentOrigin,
  type LessonCompletedEvent,
  type Money,
  type PaymentMethod,
  type PaymentSucceededEvent,
  UNRESOLVED_PAYMENT_METHOD,
  type QualifyingEvent,
} from './qualifying-events';
export {
  conversionKeyOf,
  recordQualifyingEvent,
  type DecisionRecord,
  type QualifyingEventAnswer,
  type RecordedQualifyingEvent,
  type RewardingDeps,
} from './record-qualifying-event';
export { hashPaymentInstrument, INTRODUCTORY_BONUS_DOES_NOT_APPLY, type PaymentMethodRecord } from './payment-instrument-guard';
export { conversionOutcomeRecord, referralRecord, rewardRecord, type ConversionOutcomeRecord, type ReferralRecord, type RewardRecord } from './records';
export {
  forEachDecisionRecord,
  inReadOnlySnapshot,
  previewProgramChange,
  type PreviewChange,
  type PreviewDeps,
  type PreviewProgress,
  type PreviewRequest,
  type PreviewSide,
  type ProgramPreview,
} from './program-preview';
export { rewardingMigrations } from './rewarding.migrations';
export { PERSONAL_ID_FACTS, type DecisionRecordView, type StoredReward } from './decision-records';
export { attributionReasonText, conversionRecordOf, readConversion, type ConversionRecord, type ReadConversionDeps } from './conversion-records';
export { eligibilityReasons, type EligibilityReason } from './eligibility-reasons';
export { hostFacts, referralFacts, setFact } from './referral-facts';
export { isRewardingError, RewardingError, rewardingErrorCatalog, rewardingErrorCodes, type RewardingErrorCode, type RewardingIssue } from './rewarding.errors';
export { majorToMinor, roleOutcomes } from './role-outcomes';
export { recordAdverseNotice, type AdverseNoticeAnswer, type AdversePaymentNotice } from './adverse-notices';
export {
  queueIssuanceCreated,
  queueUsageThresholdCrossed,
  type IssuanceCreatedEvent,
  type IssuanceSignalAnswer,
  type UsageThresholdCrossedEvent,
} from './issuance-events';
export { queueParticipantRegistration, type ParticipantRegistrationRequest } from './participant-registration';
export { recordSignup, refereeRegistration, type RecordedSignup } from './signups';
export { requeueFailedDelivery, type RequeuedDelivery } from './delivery-requeue';
export { assertProgramNotRetired, retireProgram, type ProgramRetirement } from './program-retirement';
export { applyFreePeriodAtRenewal, type RenewalAnswer, type RenewalDueEvent } from './renewal-events';
export { queueScheduleRun } from './schedule-runs';
export { eraseUser, recordAccountDeletionElsewhere, type EraseUserInput, type UserErasure, type UserErasureDeps } from './user-erasure';
export {
  readUserActivity,
  trackingPreview,
  TRACKING_PREVIEW_LENGTH,
  USER_ACTIVITY_LIMIT,
  type ReadUserActivityDeps,
  type TouchRecord,
  type TrackingPreview,
  type UserActivity,
} from './user-activity';
