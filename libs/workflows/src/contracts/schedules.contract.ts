/** Input of the scheduled `expireRewards` workflow (defaults from the worker's settings). */
export interface ExpireRewardsInput {
  batchSize?: number;
  maxBatches?: number;
}

export interface ExpireRewardsResult {
  expired: number;
  batches: number;
  /** True when the run stopped at maxBatches with due rewards left (the next run continues). */
  hasMore: boolean;
}

/** Input of the scheduled `backfillRedemptions` workflow. */
export interface BackfillRedemptionsInput {
  /** Redemption workflows this run starts at most (default from the worker's settings). */
  limit?: number;
}

export interface BackfillRedemptionsResult {
  /** Applied rewards found without any redemption delivery. */
  rewardIds: string[];
  started: number;
  /** A redemption workflow already existed (starting again is a no-op). */
  alreadyStarted: number;
}

export type ExpireRewardsWorkflow = (input?: ExpireRewardsInput) => Promise<ExpireRewardsResult>;
export type BackfillRedemptionsWorkflow = (input?: BackfillRedemptionsInput) => Promise<BackfillRedemptionsResult>;

/** Ids of the Temporal Schedules the worker creates (or updates) at boot. */
export const scheduleIds = {
  expireRewards: 'expire-rewards',
  backfillRedemptions: 'backfill-redemptions',
} as const;
