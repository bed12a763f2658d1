/**
 * @referrals/impact-client: Impact Advocate and Impact Performance, with typed outcomes.
 *
 * Typical redemption (a Temporal workflow calling activities built on this):
 * 1. `advocate.findRewardToRedeem(...)` (transient `reward_not_visible` until Impact shows it);
 * 2. persist the chosen `rewardId` for the local reward;
 * 3. `advocate.redeemReward({ rewardId, amountMinor, previouslyChosenRewardId })`, passing the id
 *    persisted by an *earlier* attempt, so that "already redeemed" counts as success only then.
 *
 * The fake Impact server lives in `@referrals/impact-client/testing`, never here.
 */
export {
  createImpactClient,
  type ImpactClient,
  type ImpactClientOptions,
  type ProductImpactClient,
} from './impact-client';
export {
  type AdvocateClient,
  type CancelledReward,
  type FindRewardInput,
  type ParticipantRef,
  type RedeemedReward,
  type RedeemOutcome,
  type RedeemRewardInput,
  type RegisteredParticipant,
  type RewardToRedeem,
} from './advocate.client';
export {
  type CompletedSubmission,
  type ConversionSubmission,
  type PerformanceClient,
  type PollOptions,
  type ReportedConversion,
  type ReversalSubmission,
  type ReverseActionTarget,
} from './performance.client';
export { type AdvocateParticipant, type AdvocateReward, type UpsertParticipantInput } from './advocate.schemas';
export { type ConversionInput, type DispositionCode } from './performance.schemas';
export {
  ADVOCATE_DEFAULT_BASE_URL,
  type AdvocateAuthStyle,
  type AdvocateProgramConfig,
  type ConversionEvent,
  impactConfigFromEnv,
  impactConfigToEnv,
  type ImpactConfig,
  type ImpactConfigInput,
  impactConfigSchema,
  parseImpactConfig,
  PERFORMANCE_DEFAULT_BASE_URL,
  type PerformanceConfig,
  type ProductImpactConfig,
  type WidgetConfig,
} from './impact-config.schema';
export {
  type DisabledCode,
  type FieldError,
  type ImpactAlreadyRedeemed,
  type ImpactDisabled,
  type ImpactFailure,
  type ImpactOk,
  type ImpactOutcome,
  type ImpactPermanent,
  type ImpactTransient,
  isRetryable,
  isSuccess,
  type PermanentCode,
  type TransientCode,
} from './outcome';
export { type CallOptions } from './impact-http';
export { createImpactLogger } from './impact-logger';
export { redactEmail, redactIdentifier, redactOpaque, redactSecret, scrubText } from './redact';
export { type RewardCriteria, type RewardRejection, type RewardRejectionReason, type RewardSelection, selectReward } from './select-reward';
export {
  type ServerSideIdentity,
  signVerifiedAccessToken,
  VERIFIED_ACCESS_TOKEN_TTL_SECONDS,
  type VerifiedAccessToken,
  type VerifiedAccessTokenPayload,
} from './verified-access-token';
export { hashCustomerEmail, MAX_TRACKING_VALUE_LENGTH, orderIdFor } from './conversion-fields';
export { formatMinorUnits } from './amounts';
export { normalizeLocale } from './locale';
