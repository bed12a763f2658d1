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
import type { BonusLikeItemKind, ClaimableItemKind, DeliveryKind } from './contracts/domain-types';
import { type ReportConversionInput, type ReverseConversionInput } from './contracts/conversion-report.contract';
import {
  type AttemptContext,
  type DeliveryAttemptResult,
  type DeliveryFailure,
  type DeliveryResult,
  type OpenedDelivery,
} from './contracts/delivery.contract';
import { type RegisterParticipantInput } from './contracts/participant-registration.contract';
import { type VerifyLedgerResult } from './contracts/schedules.contract';
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
  /** False on a first-time subscriber's first issuance: their referee reward never applies to it [123]. Default true. */
  includeRefereeRewards?: boolean;
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

/** What the issuance-bonus workflow decided, recorded in PostgreSQL so the api can answer `GET /v1/issuances/{id}`. */
export interface RecordIssuanceOutcomeInput {
  issuanceId: string;
  subscriberId: string;
  product: string;
  /** `IssuanceBonusDecision`. */
  decision: 'welcome_promo' | 'referral_bonus' | 'usage_bonus' | 'none';
  /** The decision in words (the item itself is the ledger's bonus slot, read from there). */
  reason: string;
  /** ISO 8601, or null. */
  usageThresholdCrossedAt: string | null;
  /** `workflow:<workflowId>`. */
  actor: string;
}

export interface IssuanceBonusActivities {
  /**
   * Ledger `applyRewardToIssuance`: in ONE transaction, the oldest pending unexpired reward earned
   * no later than the issuance becomes `applied` AND the issuance's `referral_bonus` item takes the
   * bonus slot (a crash can never leave one without the other).
   */
  applyReferralReward(input: ApplyReferralRewardInput): Promise<ApplyReferralRewardResult>;
  /** Ledger `claimIssuanceBonusSlot` for `bonus` or `promo_first_month_50pct`. */
  claimIssuanceBonus(input: ClaimIssuanceBonusInput): Promise<ClaimIssuanceBonusResult>;
  /** Ledger `recordIssuanceOutcome`: the decision, once (a replay changes nothing). */
  recordIssuanceOutcome(input: RecordIssuanceOutcomeInput): Promise<void>;
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

/** Shared by every delivery workflow. */
export interface DeliveryEndActivities {
  /**
   * An attempt threw a business error (a non-retryable activity failure): the delivery ends
   * `failed` with that error, so ops shows it and an operator can requeue it, instead of staying
   * `pending` under a failed workflow. Answers the delivery's result (as it stands when it had ended already).
   */
  failDeliveryAfterError(input: { kind: DeliveryKind; businessId: string; attempt: number; error: DeliveryFailure }): Promise<DeliveryResult>;
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
  expireRewardBatch(input: { batchSize: number }): Promise<{ expired: number; /** Absent in batches recorded before it existed. */ rewardIds?: string[]; hasMore: boolean }>;
  /** Verifies the ledger and records the result (`ledger_verifications`). */
  runLedgerVerification(input: Record<string, never>): Promise<VerifyLedgerResult>;
  /** Writes an operator-requested run's result to `schedule_runs` (once; a replay changes nothing). */
  recordScheduleRun(input: { runId: string; result: Record<string, unknown> }): Promise<void>;
  /** Attribution `deleteUnattributedTouches`: one batch of touches older than `retentionDays` that never attributed anything. */
  purgeStaleTouchBatch(input: { retentionDays: number; batchSize: number }): Promise<{ deleted: number; hasMore: boolean }>;
  /** Applied rewards with no redemption delivery recorded, oldest first, at most `limit`. */
  findRewardsWithoutRedemption(input: { limit: number }): Promise<AppliedRewardView[]>;
}

export type WorkerActivities = StackCheckActivities &
  SettingsActivities &
  IssuanceBonusActivities &
  RedemptionActivities &
  RegistrationActivities &
  ConversionActivities &
  DeliveryEndActivities &
  MaintenanceActivities;
