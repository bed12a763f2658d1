// Entry point of the workflow bundle the worker loads: every exported function is a workflow type
// (names in `workflowTypes`).
export { stackCheck, type StackCheckResult } from './stack-check.workflow';
export { decideIssuanceBonus } from './issuance-bonus.workflow';
export { redeemReward } from './reward-redemption.workflow';
export { registerParticipant } from './participant-registration.workflow';
export { reportConversion, reverseConversion } from './conversion-report.workflow';
export { backfillRedemptions, expireRewards, purgeStaleTouches, verifyLedgerBooks } from './scheduled.workflows';
