/** Input of the scheduled `expireRewards` workflow (defaults from the worker's settings). */
export interface ExpireRewardsInput {
  batchSize?: number;
  maxBatches?: number;
  /** Set when an operator asked for this run (`schedule_runs`): the workflow records its result there. */
  runId?: string;
}

export interface ExpireRewardsResult {
  expired: number;
  /** The ids of the rewards this run expired (the first MAX_LISTED_IDS). */
  expiredRewardIds: string[];
  batches: number;
  /** True when the run stopped at maxBatches with due rewards left (the next run continues). */
  hasMore: boolean;
}

/** Input of the scheduled `backfillRedemptions` workflow. */
export interface BackfillRedemptionsInput {
  /** Redemption workflows this run starts at most (default from the worker's settings). */
  limit?: number;
  /** Set when an operator asked for this run (`schedule_runs`): the workflow records its result there. */
  runId?: string;
}

export interface BackfillRedemptionsResult {
  /** Applied rewards found without any redemption delivery. */
  rewardIds: string[];
  started: number;
  /** A redemption workflow already existed (starting again is a no-op). */
  alreadyStarted: number;
}

/** Input of the scheduled `verifyLedgerBooks` workflow. */
export interface VerifyLedgerInput {
  /** Set when an operator asked for this run (`schedule_runs`): the workflow records its result there. */
  runId?: string;
}

/** What one verification found (the violations themselves are recorded in `ledger_verifications`). */
export interface VerifyLedgerResult {
  verificationId: string;
  checkedAt: string;
  /** 0: the books are sound. */
  violationCount: number;
  /** The codes of the violations found, each once. */
  violationCodes: string[];
}

/** Input of the scheduled `purgeStaleTouches` workflow (retention, issue 15 item 5). */
export interface PurgeTouchesInput {
  /** Touches one transaction deletes at most, and how many batches one run takes (defaults from the worker's settings). */
  batchSize?: number;
  maxBatches?: number;
  /** Set when an operator asked for this run (`schedule_runs`): the workflow records its result there. */
  runId?: string;
}

export interface PurgeTouchesResult {
  /** Touches deleted: captured more than `retentionDays` ago and never attributed anything. */
  deleted: number;
  retentionDays: number;
  batches: number;
  /** True when the run stopped at maxBatches with stale touches left (the next run continues). */
  hasMore: boolean;
}

export type ExpireRewardsWorkflow = (input?: ExpireRewardsInput) => Promise<ExpireRewardsResult>;
export type BackfillRedemptionsWorkflow = (input?: BackfillRedemptionsInput) => Promise<BackfillRedemptionsResult>;

/** Ids of the Temporal Schedules the worker creates (or updates) at boot. */
export const scheduleIds = {
  expireRewards: 'expire-rewards',
  backfillRedemptions: 'backfill-redemptions',
  verifyLedger: 'verify-ledger',
  purgeTouches: 'purge-touches',
} as const;

export type ScheduleName = (typeof scheduleIds)[keyof typeof scheduleIds];

/** The workflow type each schedule starts (an operator's run-now starts the same one). */
export const scheduleWorkflowTypes = {
  'expire-rewards': 'expireRewards',
  'backfill-redemptions': 'backfillRedemptions',
  'verify-ledger': 'verifyLedgerBooks',
  'purge-touches': 'purgeStaleTouches',
} as const satisfies Record<ScheduleName, string>;

/** How many ids a run's result lists at most (the counts are always complete). */
export const MAX_LISTED_IDS = 1000;
