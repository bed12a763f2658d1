// The public API of @referrals/ledger. Everything else in src/ is internal.

export { ledgerMigrations } from './ledger.migrations';
export { isLedgerError, LedgerError, ledgerErrorCatalog, ledgerErrorCodes, type LedgerErrorCode, type LedgerIssue } from './ledger.errors';
export {
  assertRewardTransition,
  cappedStates,
  findRewardTransition,
  initialRewardStates,
  restingAccountOf,
  rewardOutcomes,
  rewardStates,
  rewardStatuses,
  rewardTransitions,
  type InitialRewardState,
  type RewardOperation,
  type RewardOutcome,
  type RewardState,
  type RewardStatus,
  type RewardTransition,
} from './reward-states';
export { accountKinds, accountPolicies, type AccountKind, type AccountRef, type SystemAccountKind } from './accounts';
export { rewardKinds, type Reward, type RewardEvent, type RewardKind, type RewardRole } from './reward-rows';
export {
  postTransaction,
  type EntrySide,
  type PostedEntry,
  type PostedTransaction,
  type PostTransactionInput,
} from './post-transactions';
export { grantRewards, type GrantRewardsInput, type GrantRewardsResult, type RoleOutcome } from './grant-rewards';
export { applyFreePeriodReward, type ApplyFreePeriodInput, type ApplyFreePeriodResult } from './apply-free-period';
export { addCalendarMonths } from './calendar-months';
export { applyRewardToIssuance, type ApplyRewardInput, type ApplyRewardResult } from './apply-reward';
export {
  bonusLikeItemKinds,
  claimableItemKinds,
  claimIssuanceBonusSlot,
  getIssuanceBonusItem,
  type BonusLikeItemKind,
  type ClaimableItemKind,
  type ClaimBonusSlotInput,
  type ClaimBonusSlotResult,
  type IssuanceBonusItem,
} from './bonus-slot';
export {
  getIssuanceOutcome,
  issuanceDecisions,
  recordIssuanceOutcome,
  recordIssuanceReceived,
  type IssuanceDecision,
  type IssuanceOutcome,
  type RecordIssuanceOutcomeInput,
  type RecordIssuanceReceivedInput,
} from './issuance-outcomes';
export { cancelProgramRewards, type CancelProgramRewardsInput } from './cancel-program-rewards';
export { expireRewards, type ExpireRewardsInput, type ExpireRewardsResult } from './expire-rewards';
export {
  adversePaymentKinds,
  recordAdversePayment,
  type AdverseChange,
  type AdversePaymentInput,
  type AdversePaymentKind,
  type AdversePaymentResult,
} from './adverse-payments';
export {
  releaseReward,
  resolveReview,
  type ReleaseRewardInput,
  type ResolveReviewInput,
  type SingleRewardResult,
} from './review-rewards';
export {
  countRewardsByStatus,
  explainPendingRewards,
  getBeneficiaryBalances,
  getRewardHistory,
  listRewards,
  otherRewardedConversions,
  type BeneficiaryBalance,
  type ListRewardsFilter,
  type PendingExplanation,
  type PendingReport,
  type RewardHistory,
} from './read-models';
export { inLedgerTransaction, type JoinTransaction } from './ledger-sql';
export { verifyLedger, type LedgerViolation, type LedgerViolationCode } from './verify-ledger';
export { lastLedgerVerification, runLedgerVerification, type LedgerVerification } from './ledger-verifications';
export { pseudonymizeLedgerUser } from './user-erasure';
