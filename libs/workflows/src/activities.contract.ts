/**
 * Activity signatures the workflows call. Workflows import these TYPES only and reach the
 * implementations (apps/worker) through `proxyActivities`, which keeps database and network code
 * out of the deterministic workflow sandbox.
 *
 * Every activity is idempotent (a retry or a replay writes nothing new and answers the same).
 * Impact outcomes are answers, not errors: `attempt*` activities record the attempt in
 * impact-sync and say whether to retry. Business errors (unknown reward, conflicting content)
 * are non-retryable `ApplicationFailure`s whose `type` is the stable snake_case code; anything
 * else (database down) is retried by Temporal.
 */
import type { BonusLikeItemKind, ClaimableItemKind } from './contracts/domain-types';
import { type ReportConversionInput, type ReverseConversionInput } from './contracts/conversion-report.contract';
import {
  type AttemptContext,
  type DeliveryAttemptResult,
  type DeliveryResult,
  type OpenedDelivery,
} from './contracts/delivery.contract';
import { type RegisterParticipantInput } from './contracts/participant-registration.contract';
import { type WorkflowSettings } from './settings';

export interface StackCheckActivities {
  /** Proves the worker can reach its dependencies: answers with the database's clock. */
  readDatabaseTime(): Promise<{ databaseTime: string }>;
}

export interface SettingsActivities {
  /** The worker's timings and knobs (a local activity: read once per run, recorded in history). */
  loadWorkflowSettings(): Promise<WorkflowSettings>;
}

export interface BonusItemView {
  itemKind: BonusLikeItemKind;
  rewardId: string | null;
}

/** What the redemption of an applied reward needs to be started (and found in the Temporal UI). */
export interface AppliedRewardView {
  rewardId: string;
  programKey: string;
  beneficiaryId: string;
  product: string;
  amountMinor: number | null;
  unit: string | null;
}

export interface ApplyReferralRewardInput {
  issuanceId: string;
  beneficiaryId: string;
  product: string;
  /** ISO 8601. */
  issuanceCreatedAt: string;
  /** Who acts, for the ledger's audit trail (`workflow:<workflowId>`). */
  actor: string;
}

export type ApplyReferralRewardResult =
  | { outcome: 'applied'; reward: AppliedRewardView; item: BonusItemView; replayed: boolean }
  | { outcome: 'no_reward_available' }
  | { outcome: 'slot_taken'; heldBy: BonusItemView };

export interface ClaimIssuanceBonusInput {
  issuanceId: string;
  itemKind: ClaimableItemKind;
  /** Idempotency key of the claim: `<workflowId>:<itemKind>`. */
  claimKey: string;
  actor: string;
  reason: string;
}

export type ClaimIssuanceBonusResult =
  | { outcome: 'claimed'; item: BonusItemView; replayed: boolean }
  | { outcome: 'slot_taken'; heldBy: BonusItemView };

export interface IssuanceBonusActivities {
  /**
   * Ledger `applyRewardToIssuance`: in ONE transaction, the oldest pending unexpired reward earned
   * no later than the issuance becomes `applied` AND the issuance's `referral_bonus` item takes the
   * bonus slot (a crash can never leave one without the other).
   */
  applyReferralReward(input: ApplyReferralRewardInput): Promise<ApplyReferralRewardResult>;
  /** Ledger `claimIssuanceBonusSlot` for `bonus` or `promo_first_month_50pct`. */
  claimIssuanceBonus(input: ClaimIssuanceBonusInput): Promise<ClaimIssuanceBonusResult>;
}

export interface RedemptionActivities {
  /** Records the redemption (`pending`) once; `ended` when it already ended. */
  openRewardRedemption(input: { rewardId: string; workflowId: string }): Promise<OpenedDelivery>;
  /**
   * One attempt: find and PERSIST the Impact reward (first attempt), then redeem it with the
   * previously chosen id, record the outcome.
   */
  attemptRewardRedemption(input: AttemptContext & { rewardId: string }): Promise<DeliveryAttemptResult>;
}

export interface RegistrationActivities {
  openParticipantRegistration(input: { registration: RegisterParticipantInput; workflowId: string }): Promise<OpenedDelivery>;
  /** One upsert; on success stores the participant ids and the program-scoped referral code. */
  attemptParticipantRegistration(input: AttemptContext & { registration: RegisterParticipantInput }): Promise<DeliveryAttemptResult>;
}

export interface ConversionActivities {
  /**
   * Records the SALE to send (`pending`) and, when the referral won, the affiliate SALE as
   * `suppressed` (no call).
   */
  openConversionReport(input: {
    report: ReportConversionInput;
    workflowId: string;
  }): Promise<{ reported: OpenedDelivery; suppressed: DeliveryResult | null }>;
  /** One submission (or a poll of the queued one). */
  attemptConversionReport(input: AttemptContext & { report: ReportConversionInput }): Promise<DeliveryAttemptResult>;
  openSaleReversal(input: { reversal: ReverseConversionInput; workflowId: string }): Promise<OpenedDelivery>;
  /** Waits (retrying) while the SALE is being delivered; reverses it once reported. */
  attemptSaleReversal(input: AttemptContext & { reversal: ReverseConversionInput }): Promise<DeliveryAttemptResult>;
}

export interface MaintenanceActivities {
  /** Ledger `expireRewards`, one batch (one transaction). */
  expireRewardBatch(input: { batchSize: number }): Promise<{ expired: number; rewardIds: string[]; hasMore: boolean }>;
  /** Writes an operator-requested run's result to `schedule_runs` (once; a replay changes nothing). */
  recordScheduleRun(input: { runId: string; result: Record<string, unknown> }): Promise<void>;
  /** Applied rewards with no redemption delivery recorded, oldest first, at most `limit`. */
  findRewardsWithoutRedemption(input: { limit: number }): Promise<AppliedRewardView[]>;
}

export type WorkerActivities = StackCheckActivities &
  SettingsActivities &
  IssuanceBonusActivities &
  RedemptionActivities &
  RegistrationActivities &
  ConversionActivities &
  MaintenanceActivities;
