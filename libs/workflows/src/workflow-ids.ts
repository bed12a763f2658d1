/**
 * Workflow ids derive from business ids, so starting the same work twice finds the running (or
 * finished) workflow instead of starting a second one, and the Temporal UI can be searched by them.
 */
export const workflowIds = {
  rewardRedemption: (rewardId: string) => `reward-redemption-${rewardId}`,
  issuanceBonus: (issuanceId: string) => `issuance-bonus-${issuanceId}`,
  participantRegistration: (programKey: string, userId: string) => `participant-registration-${programKey}-${userId}`,
  conversionReport: (conversionId: string) => `conversion-report-${conversionId}`,
  conversionReversal: (conversionId: string) => `conversion-reversal-${conversionId}`,
  stackCheck: (runId: string) => `stack-check-${runId}`,
  /** An operator's run-now of a schedule (`schedule_runs.id`, a UUID). */
  scheduleRun: (schedule: string, runId: string) => `schedule-run-${schedule}-${runId}`,
} as const;
