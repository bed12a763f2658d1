import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import {
  attemptOutcomes,
  deliveryKinds,
  isTerminalDeliveryStatus,
  type AttemptOutcome,
  type DeliveryKind,
  type DeliveryStatus,
} from './delivery-states';
import { REQUEST_ID_MAX_LENGTH } from './delivery-keys';
import { ImpactSyncError } from './impact-sync.errors';
import { inTransaction, parseInput, pgErrorOf, queryRows, toInt } from './impact-sync-sql';

/** Why the last attempt did not succeed, as the worker recorded it (stable snake_case code). */
export interface DeliveryError {
  code: string;
  message: string;
  httpStatus: number | null;
}

/** One piece of Impact work and where it stands. */
export interface Delivery {
  id: string;
  kind: DeliveryKind;
  businessId: string;
  /** Idempotency key of the call towards Impact. */
  deliveryKey: string;
  product: string;
  programKey: string | null;
  /** The user the work is about (participant, customer, beneficiary). */
  userId: string | null;
  /** The Temporal workflow doing it (search it in the Temporal UI). */
  workflowId: string | null;
  status: DeliveryStatus;
  attempts: number;
  lastError: DeliveryError | null;
  lastRequestId: string | null;
  lastAttemptAt: Date | null;
  /** Set while `retrying`: when the next attempt runs. */
  nextAttemptAt: Date | null;
  /** Redemptions: the Impact reward chosen for this local reward, persisted before redeeming. */
  chosenImpactRewardId: string | null;
  chosenAt: Date | null;
  impactActionId: string | null;
  impactOrderId: string | null;
  /** A queued Performance submission still to poll. */
  queuedUri: string | null;
  /** Kind-specific facts (referral code, credit redeemed, why it was suppressed...). */
  details: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  /** When an operator last requeued it (null: never). */
  requeuedAt: Date | null;
}

export interface DeliveryRow {
  id: string;
  kind: DeliveryKind;
  business_id: string;
  delivery_key: string;
  product: string;
  program_key: string | null;
  user_id: string | null;
  workflow_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_http_status: number | null;
  last_request_id: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  chosen_impact_reward_id: string | null;
  chosen_at: Date | null;
  impact_action_id: string | null;
  impact_order_id: string | null;
  queued_uri: string | null;
  details: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
  requeued_at: Date | null;
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: String(row.id),
    kind: row.kind,
    businessId: row.business_id,
    deliveryKey: row.delivery_key,
    product: row.product,
    programKey: row.program_key,
    userId: row.user_id,
    workflowId: row.workflow_id,
    status: row.status,
    attempts: toInt(row.attempts),
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, message: row.last_error_message ?? '', httpStatus: row.last_error_http_status },
    lastRequestId: row.last_request_id,
    lastAttemptAt: row.last_attempt_at,
    nextAttemptAt: row.next_attempt_at,
    chosenImpactRewardId: row.chosen_impact_reward_id,
    chosenAt: row.chosen_at,
    impactActionId: row.impact_action_id,
    impactOrderId: row.impact_order_id,
    queuedUri: row.queued_uri,
    details: row.details ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    requeuedAt: row.requeued_at ?? null,
  };
}

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const kindSchema = z.enum(deliveryKinds);
const validDate = z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date');
const detailsSchema = z.record(z.string(), z.unknown());

/** A delivery's business id (`<product>:<provider>:<id>`, `<program>:<user>`) is at most this long. */
export const BUSINESS_ID_MAX_LENGTH = 400;
const workSchema = z.object({ kind: kindSchema, businessId: text(BUSINESS_ID_MAX_LENGTH) });
export type DeliveryRef = z.input<typeof workSchema>;

async function lockDelivery(sequelize: Sequelize, t: Transaction, kind: DeliveryKind, businessId: string): Promise<DeliveryRow> {
  const [row] = await queryRows<DeliveryRow>(
    sequelize,
    t,
    'SELECT * FROM impact_sync_deliveries WHERE kind = $1 AND business_id = $2 FOR UPDATE',
    [kind, businessId],
  );
  if (!row) throw new ImpactSyncError('delivery_not_found', `no ${kind} delivery for ${businessId}`, { details: { kind, businessId } });
  return row;
}

async function findRow(sequelize: Sequelize, t: Transaction | undefined, kind: DeliveryKind, businessId: string): Promise<DeliveryRow | null> {
  const [row] = await queryRows<DeliveryRow>(sequelize, t, 'SELECT * FROM impact_sync_deliveries WHERE kind = $1 AND business_id = $2', [
    kind,
    businessId,
  ]);
  return row ?? null;
}

const ensureSchema = workSchema.extend({
  deliveryKey: text(600),
  product: text(100),
  programKey: text(100).nullish(),
  userId: text(400).nullish(),
  workflowId: text(400).nullish(),
  /** The deterministic OrderId of a SALE (known before the first attempt). */
  impactOrderId: text(64).nullish(),
  details: detailsSchema.optional(),
  now: validDate.optional(),
});
export type EnsureDeliveryInput = z.input<typeof ensureSchema>;

export interface EnsureDeliveryResult {
  delivery: Delivery;
  /** False when the work was already recorded (a replay): nothing but a missing workflow id was written. */
  created: boolean;
}

/**
 * Records a piece of Impact work as `pending`, once: the same kind and business id again returns
 * the existing row (whatever its status). The same work under another delivery key or product,
 * or the key used by other work, is `exists_with_different_content`.
 */
export async function ensureDelivery(sequelize: Sequelize, input: EnsureDeliveryInput): Promise<EnsureDeliveryResult> {
  const d = parseInput(ensureSchema, input, 'ensureDelivery');
  const now = d.now ?? new Date();
  const [inserted] = await queryRows<DeliveryRow>(
    sequelize,
    undefined,
    `INSERT INTO impact_sync_deliveries
       (kind, business_id, delivery_key, product, program_key, user_id, workflow_id, impact_order_id, details, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10)
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      d.kind,
      d.businessId,
      d.deliveryKey,
      d.product,
      d.programKey ?? null,
      d.userId ?? null,
      d.workflowId ?? null,
      d.impactOrderId ?? null,
      JSON.stringify(d.details ?? {}),
      now,
    ],
  );
  if (inserted) return { delivery: toDelivery(inserted), created: true };

  const existing = await findRow(sequelize, undefined, d.kind, d.businessId);
  if (!existing) {
    throw new ImpactSyncError('exists_with_different_content', `delivery key ${d.deliveryKey} belongs to other work`, {
      details: {
        kind: d.kind,
        businessId: d.businessId,
      },
    });
  }
  if (existing.delivery_key !== d.deliveryKey || existing.product !== d.product) {
    throw new ImpactSyncError(
      'exists_with_different_content',
      `${d.kind} ${d.businessId} was recorded with another delivery key or product`,
      { details: { kind: d.kind, businessId: d.businessId, deliveryKey: existing.delivery_key, product: existing.product } },
    );
  }
  if (existing.workflow_id === null && d.workflowId) {
    const [updated] = await queryRows<DeliveryRow>(
      sequelize,
      undefined,
      'UPDATE impact_sync_deliveries SET workflow_id = $2 WHERE id = $1 AND workflow_id IS NULL RETURNING *',
      [existing.id, d.workflowId],
    );
    if (updated) return { delivery: toDelivery(updated), created: false };
  }
  return { delivery: toDelivery(existing), created: false };
}

const errorSchema = z.object({
  code: text(100),
  message: z.string().max(2000).transform((m) => m.slice(0, 1000)),
  httpStatus: z.number().int().min(100).max(599).nullish(),
});

const attemptSchema = workSchema
  .extend({
    /** 1-based number of the attempt (the workflow's loop counter). */
    attempt: z.number().int().min(1),
    outcome: z.enum(attemptOutcomes),
    error: errorSchema.nullish(),
    requestId: text(REQUEST_ID_MAX_LENGTH).nullish(),
    /** Required with `retrying`. */
    nextAttemptAt: validDate.nullish(),
    impactActionId: text(200).nullish(),
    impactOrderId: text(64).nullish(),
    /** A string stores a queued submission to poll next time; null clears it; absent keeps it. */
    queuedUri: z.string().min(1).max(1000).nullish(),
    details: detailsSchema.optional(),
    now: validDate.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.outcome === 'retrying' && !a.nextAttemptAt) {
      ctx.addIssue({ code: 'custom', path: ['nextAttemptAt'], message: 'is required when retrying' });
    }
    if ((a.outcome === 'retrying' || a.outcome === 'failed' || a.outcome === 'disabled') && !a.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: `is required for ${a.outcome}` });
    }
  });
export type RecordAttemptInput = z.input<typeof attemptSchema>;

export interface RecordAttemptResult {
  delivery: Delivery;
  /**
   * False when nothing changed: the same record was already made (a replay), the delivery had
   * already ended (terminal states are never left by an attempt), or the attempt is older than
   * the last one recorded.
   */
  changed: boolean;
}

/**
 * Records how one attempt ended and moves the delivery: `retrying` (with the next attempt time),
 * `succeeded`, `failed`, `disabled` or `suppressed`. Idempotent: recording the same attempt,
 * outcome and code again changes nothing. Terminal states are sticky, so a late record from an
 * older attempt can never turn a success back into a retry.
 */
export async function recordDeliveryAttempt(sequelize: Sequelize, input: RecordAttemptInput): Promise<RecordAttemptResult> {
  const a = parseInput(attemptSchema, input, 'recordDeliveryAttempt');
  const now = a.now ?? new Date();
  return inTransaction(sequelize, async (t) => {
    const current = await lockDelivery(sequelize, t, a.kind, a.businessId);
    const [logged] = await queryRows<{ id: string }>(
      sequelize,
      t,
      `INSERT INTO impact_sync_attempts (delivery_id, attempt, outcome, error_code, error_message, http_status, request_id, next_attempt_at, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        current.id,
        a.attempt,
        a.outcome,
        a.error?.code ?? null,
        a.error?.message ?? null,
        a.error?.httpStatus ?? null,
        a.requestId ?? null,
        a.outcome === 'retrying' ? a.nextAttemptAt : null,
        now,
      ],
    );
    const unchanged = { delivery: toDelivery(current), changed: false };
    if (!logged || isTerminalDeliveryStatus(current.status) || a.attempt < toInt(current.attempts)) return unchanged;

    const terminal = isTerminalDeliveryStatus(a.outcome);
    const keepError = a.outcome !== 'succeeded' && a.outcome !== 'suppressed';
    const [updated] = await queryRows<DeliveryRow>(
      sequelize,
      t,
      `UPDATE impact_sync_deliveries SET
         status = $2,
         attempts = GREATEST(attempts, $3),
         last_error_code = $4,
         last_error_message = $5,
         last_error_http_status = $6,
         last_request_id = COALESCE($7, last_request_id),
         last_attempt_at = $8,
         next_attempt_at = $9,
         completed_at = $10,
         impact_action_id = COALESCE($11, impact_action_id),
         impact_order_id = COALESCE($12, impact_order_id),
         queued_uri = CASE WHEN $13 THEN $14 ELSE queued_uri END,
         details = details || $15::jsonb,
         updated_at = $8
       WHERE id = $1 RETURNING *`,
      [
        current.id,
        a.outcome,
        a.attempt,
        keepError ? (a.error?.code ?? null) : null,
        keepError ? (a.error?.message ?? null) : null,
        keepError ? (a.error?.httpStatus ?? null) : null,
        a.requestId ?? null,
        now,
        a.outcome === 'retrying' ? a.nextAttemptAt : null,
        terminal ? now : null,
        a.impactActionId ?? null,
        a.impactOrderId ?? null,
        a.queuedUri !== undefined || terminal,
        terminal ? null : (a.queuedUri ?? null),
        JSON.stringify(a.details ?? {}),
      ],
    );
    if (!updated) throw new ImpactSyncError('delivery_not_found', `${a.kind} ${a.businessId} vanished while locked`);
    return { delivery: toDelivery(updated), changed: true };
  });
}

const chooseSchema = z.object({
  /** The local (ledger) reward id: the business id of the redemption. */
  rewardId: text(400),
  impactRewardId: text(200),
  now: validDate.optional(),
});
export type RecordChosenRewardInput = z.input<typeof chooseSchema>;

export interface RecordChosenRewardResult {
  delivery: Delivery;
  /** The Impact reward this local reward is bound to: the first one ever chosen. */
  chosenImpactRewardId: string;
  /** False when an earlier attempt had chosen already (the earlier choice stands). */
  chosenNow: boolean;
}

/**
 * Persists which Impact reward a local reward redeems, BEFORE the redeem call: a later attempt
 * then knows that "already redeemed" for this id was its own doing. The first choice stands.
 * An Impact reward chosen by another local reward is `impact_reward_already_chosen` (retryable:
 * select again).
 */
export async function recordChosenImpactReward(sequelize: Sequelize, input: RecordChosenRewardInput): Promise<RecordChosenRewardResult> {
  const c = parseInput(chooseSchema, input, 'recordChosenImpactReward');
  const now = c.now ?? new Date();
  let updated: DeliveryRow | undefined;
  try {
    [updated] = await queryRows<DeliveryRow>(
      sequelize,
      undefined,
      `UPDATE impact_sync_deliveries SET chosen_impact_reward_id = $2, chosen_at = $3, updated_at = $3
        WHERE kind = 'reward_redemption' AND business_id = $1 AND chosen_impact_reward_id IS NULL
        RETURNING *`,
      [c.rewardId, c.impactRewardId, now],
    );
  } catch (error) {
    if (pgErrorOf(error).constraint === 'impact_sync_deliveries_chosen_reward') {
      throw new ImpactSyncError('impact_reward_already_chosen', `Impact reward ${c.impactRewardId} is chosen by another local reward`, {
        details: {
          rewardId: c.rewardId,
          impactRewardId: c.impactRewardId,
        },
      });
    }
    throw error;
  }
  if (updated) return { delivery: toDelivery(updated), chosenImpactRewardId: c.impactRewardId, chosenNow: true };
  const existing = await findRow(sequelize, undefined, 'reward_redemption', c.rewardId);
  if (!existing || existing.chosen_impact_reward_id === null) {
    throw new ImpactSyncError('delivery_not_found', `no reward_redemption delivery for ${c.rewardId}`, { details: { rewardId: c.rewardId } });
  }
  return { delivery: toDelivery(existing), chosenImpactRewardId: existing.chosen_impact_reward_id, chosenNow: false };
}

const suppressSchema = ensureSchema.extend({
  /** Why nothing is sent (shown to operators). */
  reason: text(1000),
});
export type RecordSuppressedInput = z.input<typeof suppressSchema>;

/**
 * Records work that is deliberately NOT sent (an affiliate SALE the referral won): the delivery
 * is created if needed and ends `suppressed` with the reason, without any call. Idempotent; a
 * delivery that already ended keeps its state.
 */
export async function recordSuppressedDelivery(sequelize: Sequelize, input: RecordSuppressedInput): Promise<Delivery> {
  const s = parseInput(suppressSchema, input, 'recordSuppressedDelivery');
  const { reason, ...ensure } = s;
  const { delivery } = await ensureDelivery(sequelize, ensure);
  if (isTerminalDeliveryStatus(delivery.status)) return delivery;
  const now = s.now ?? new Date();
  const [updated] = await queryRows<DeliveryRow>(
    sequelize,
    undefined,
    `UPDATE impact_sync_deliveries
        SET status = 'suppressed', completed_at = $2, updated_at = $2, next_attempt_at = NULL,
            details = details || jsonb_build_object('suppressedReason', $3::text)
      WHERE id = $1 AND status IN ('pending', 'retrying') RETURNING *`,
    [delivery.id, now, reason],
  );
  return updated ? toDelivery(updated) : ((await getDelivery(sequelize, delivery.kind, delivery.businessId)) ?? delivery);
}

/**
 * Puts a `failed` or `disabled` delivery back to `pending` (an operator fixed the payload or the
 * configuration); the worker's next run of the workflow then sends it again. Attempts are kept;
 * its age counts again from now (`requeuedAt`). Joins the caller's transaction when given one (the
 * requeue and the outbox row that restarts its workflow commit together).
 */
export async function requeueDelivery(sequelize: Sequelize, ref: DeliveryRef & { now?: Date }, options: { transaction?: Transaction } = {}): Promise<Delivery> {
  const r = parseInput(workSchema.extend({ now: validDate.optional() }), ref, 'requeueDelivery');
  const now = r.now ?? new Date();
  const [updated] = await queryRows<DeliveryRow>(
    sequelize,
    options.transaction,
    `UPDATE impact_sync_deliveries SET status = 'pending', completed_at = NULL, next_attempt_at = NULL, updated_at = $3, requeued_at = $3
      WHERE kind = $1 AND business_id = $2 AND status IN ('failed', 'disabled') RETURNING *`,
    [r.kind, r.businessId, now],
  );
  if (updated) return toDelivery(updated);
  const existing = await findRow(sequelize, options.transaction, r.kind, r.businessId);
  if (!existing) throw new ImpactSyncError('delivery_not_found', `no ${r.kind} delivery for ${r.businessId}`, { details: r });
  throw new ImpactSyncError('delivery_not_requeueable', `${r.kind} ${r.businessId} is ${existing.status}, not failed or disabled`, {
    details: {
      ...r,
      status: existing.status,
    },
  });
}

/** The delivery of one piece of work, or null when none is recorded. */
export async function getDelivery(sequelize: Sequelize, kind: DeliveryKind, businessId: string): Promise<Delivery | null> {
  const r = parseInput(workSchema, { kind, businessId }, 'getDelivery');
  const row = await findRow(sequelize, undefined, r.kind, r.businessId);
  return row ? toDelivery(row) : null;
}

/** Narrow helper for callers that record attempts: which outcomes end the work. */
export function endsDelivery(outcome: AttemptOutcome): boolean {
  return isTerminalDeliveryStatus(outcome);
}
