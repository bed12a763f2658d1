/**
 * Workflow type names: the exported function names of the workflow bundle
 * (`@referrals/workflows/workflows`). The api starts workflows by these names.
 */
export const workflowTypes = {
  issuanceBonus: 'decideIssuanceBonus',
  rewardRedemption: 'redeemReward',
  participantRegistration: 'registerParticipant',
  conversionReport: 'reportConversion',
  conversionReversal: 'reverseConversion',
  expireRewards: 'expireRewards',
  backfillRedemptions: 'backfillRedemptions',
  verifyLedger: 'verifyLedgerBooks',
  purgeTouches: 'purgeStaleTouches',
  stackCheck: 'stackCheck',
} as const;

export type WorkflowTypeName = (typeof workflowTypes)[keyof typeof workflowTypes];
