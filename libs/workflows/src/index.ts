// The public API of @referrals/workflows: what the api needs to start, signal and query the
// workflows, and what the worker needs to implement their activities. The workflow functions
// themselves are the bundle entry `@referrals/workflows/workflows` (worker only).

export { TASK_QUEUE } from './task-queue';
export {
  SEARCH_ATTRIBUTES,
  searchAttributeKeys,
  searchAttributesFor,
  visibilityQueryForReward,
  type KeywordSearchAttribute,
  type SearchableFacts,
  type SearchAttributeName,
} from './search-attributes';
export { workflowIds } from './workflow-ids';
export { workflowTypes, type WorkflowTypeName } from './workflow-types';
export { deliveryProgressQuery, issuanceBonusStateQuery, issuanceCreatedSignal, usageThresholdCrossedSignal } from './signals';
export {
  issuanceCreatedSignalWithStart,
  startOptions,
  usageThresholdCrossedSignalWithStart,
  type ReferralsSignalWithStartOptions,
  type ReferralsStartOptions,
  type StartOverrides,
} from './start-options';
export {
  DEFAULT_DELIVERY_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_DELIVERY_MAX_AGE_MS,
  DEFAULT_TOUCH_RETENTION_DAYS,
  deliveryHeartbeatTimeoutMs,
  touchRetentionOf,
  retryDelayMs,
  type RetrySettings,
  type WorkflowSettings,
} from './settings';
export { planIssuance, welcomeMonthOf, type IssuancePlan } from './issuance-bonus.rules';
export type {
  AttemptContext,
  DeliveryAttemptResult,
  DeliveryFailure,
  DeliveryProgress,
  DeliveryResult,
  OpenedDelivery,
} from './contracts/delivery.contract';
export type {
  DecideIssuanceBonusWorkflow,
  IssuanceBonusDecision,
  IssuanceBonusInput,
  IssuanceBonusItemView,
  IssuanceBonusResult,
  IssuanceBonusState,
  IssuanceFacts,
  SubscriptionStatus,
  UsageThresholdCrossed,
} from './contracts/issuance-bonus.contract';
export { subscriptionStatuses } from './contracts/issuance-bonus.contract';
export type { RedeemRewardInput, RedeemRewardResult, RedeemRewardWorkflow } from './contracts/reward-redemption.contract';
export type {
  ParticipantDetails,
  RegisterParticipantInput,
  RegisterParticipantResult,
  RegisterParticipantWorkflow,
} from './contracts/participant-registration.contract';
export type {
  AdversePaymentKindName,
  ReportConversionInput,
  ReportConversionResult,
  ReportConversionWorkflow,
  ReverseConversionInput,
  ReverseConversionResult,
  ReverseConversionWorkflow,
  SaleAttribution,
} from './contracts/conversion-report.contract';
export {
  MAX_LISTED_IDS,
  scheduleIds,
  scheduleWorkflowTypes,
  type ScheduleName,
  type BackfillRedemptionsInput,
  type BackfillRedemptionsResult,
  type BackfillRedemptionsWorkflow,
  type ExpireRewardsInput,
  type ExpireRewardsResult,
  type ExpireRewardsWorkflow,
  type PurgeTouchesInput,
  type PurgeTouchesResult,
  type VerifyLedgerInput,
  type VerifyLedgerResult,
} from './contracts/schedules.contract';
export type {
  AppliedRewardView,
  ApplyReferralRewardInput,
  ApplyReferralRewardResult,
  BonusItemView,
  ClaimIssuanceBonusInput,
  ClaimIssuanceBonusResult,
  ConversionActivities,
  DeliveryEndActivities,
  IssuanceBonusActivities,
  MaintenanceActivities,
  RecordIssuanceOutcomeInput,
  RedemptionActivities,
  RegistrationActivities,
  SettingsActivities,
  StackCheckActivities,
  WorkerActivities,
} from './activities.contract';
export type { StackCheckResult } from './workflows/stack-check.workflow';
export type { BonusLikeItemKind, ClaimableItemKind, DeliveryKind, DeliveryStatus } from './contracts/domain-types';
