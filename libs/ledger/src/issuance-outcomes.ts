import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { findBonusItem, type IssuanceBonusItem } from './bonus-slot';
import { LedgerError } from './ledger.errors';
import { actorSchema, externalId, parseInput } from './ledger.schemas';
import { inLedgerTransaction, type JoinTransaction, queryRows } from './ledger-sql';
import { findReward, type Reward, toReward } from './reward-rows';

/**
 * The outcome of each issuance's bonus decision, in PostgreSQL (not only in Temporal's workflow
 * result): `pending` from the first billing event about the issuance, `decided` once the
 * issuance-bonus workflow recorded what it decided and why. The item itself is the issuance's bonus
 * slot (ledger_issuance_items); a `referral_bonus` names the reward it consumed.
 */
export const issuanceDecisions = ['welcome_promo', 'referral_bonus', 'usage_bonus', 'none'] as const;
export type IssuanceDecision = (typeof issuanceDecisions)[number];

export interface IssuanceOutcome {
  issuanceId: string;
  subscriberId: string;
  product: string;
  /** pending: the workflow has not decided yet; decided: `decision` and `reason` say what and why. */
  status: 'pending' | 'decided';
  /** The issuance facts billing sent (null until the issuance-created event arrived). */
  facts: Record<string, unknown> | null;
  decision: IssuanceDecision | null;
  reason: string | null;
  usageThresholdCrossedAt: Date | null;
  decidedBy: string | null;
  receivedAt: Date;
  decidedAt: Date | null;
  /** The item holding the issuance's bonus slot (read from the slot itself), or null. */
  item: IssuanceBonusItem | null;
  /** The referral reward a `referral_bonus` item consumed, or null. */
  consumedReward: Reward | null;
}

interface OutcomeRow {
  issuance_id: string;
  subscriber_id: string;
  product: string;
  status: 'pending' | 'decided';
  facts: Record<string, unknown> | null;
  decision: IssuanceDecision | null;
  reason: string | null;
  usage_threshold_crossed_at: Date | null;
  decided_by: string | null;
  received_at: Date;
  decided_at: Date | null;
}

const receivedSchema = z.object({
  issuanceId: externalId,
  subscriberId: externalId,
  product: externalId,
  /** The issuance-created facts; null for an event that carries none (the usage signal). */
  facts: z.record(z.string(), z.unknown()).nullable(),
});

export type RecordIssuanceReceivedInput = z.input<typeof receivedSchema>;

/**
 * Records that billing told us about an issuance (`pending`), in the caller's transaction when it
 * gives one: the api writes it with the outbox row that takes the event to the workflow. The first
 * facts stand (as in the workflow); an event without facts only makes the issuance known.
 */
export async function recordIssuanceReceived(sequelize: Sequelize, input: RecordIssuanceReceivedInput, options: JoinTransaction = {}): Promise<void> {
  const r = parseInput(receivedSchema, input, 'recordIssuanceReceived');
  await inLedgerTransaction(
    sequelize,
    (t) =>
      queryRows(
        sequelize,
        t,
        `INSERT INTO ledger_issuance_outcomes (issuance_id, subscriber_id, product, status, facts)
         VALUES ($1, $2, $3, 'pending', $4::jsonb)
         ON CONFLICT (issuance_id) DO UPDATE SET facts = EXCLUDED.facts
           WHERE ledger_issuance_outcomes.status = 'pending' AND ledger_issuance_outcomes.facts IS NULL AND EXCLUDED.facts IS NOT NULL
         RETURNING issuance_id`,
        [r.issuanceId, r.subscriberId, r.product, r.facts === null ? null : JSON.stringify(r.facts)],
      ),
    options.transaction,
  );
}

const decidedSchema = z.object({
  issuanceId: externalId,
  subscriberId: externalId,
  product: externalId,
  decision: z.enum(issuanceDecisions),
  reason: z.string().min(1, 'must say why').max(4000),
  usageThresholdCrossedAt: z.date().nullable(),
  actor: actorSchema,
});

export type RecordIssuanceOutcomeInput = z.input<typeof decidedSchema>;

/**
 * Records the workflow's decision. Idempotent: the first decision stands (a replayed activity, or
 * a second workflow run, changes nothing); an issuance never seen by the api (a workflow started
 * directly) gets its row here.
 */
export async function recordIssuanceOutcome(sequelize: Sequelize, input: RecordIssuanceOutcomeInput): Promise<void> {
  const d = parseInput(decidedSchema, input, 'recordIssuanceOutcome');
  await inLedgerTransaction(sequelize, (t) =>
    queryRows(
      sequelize,
      t,
      `INSERT INTO ledger_issuance_outcomes
         (issuance_id, subscriber_id, product, status, decision, reason, usage_threshold_crossed_at, decided_by, decided_at)
       VALUES ($1, $2, $3, 'decided', $4, $5, $6, $7, now())
       ON CONFLICT (issuance_id) DO UPDATE SET
         status = 'decided', decision = EXCLUDED.decision, reason = EXCLUDED.reason,
         usage_threshold_crossed_at = EXCLUDED.usage_threshold_crossed_at, decided_by = EXCLUDED.decided_by, decided_at = now()
       WHERE ledger_issuance_outcomes.status = 'pending'
       RETURNING issuance_id`,
      [d.issuanceId, d.subscriberId, d.product, d.decision, d.reason, d.usageThresholdCrossedAt, d.actor],
    ),
  );
}

/** Read model: what an issuance got and why (`issuance_not_found` when no event about it was received). */
export async function getIssuanceOutcome(sequelize: Sequelize, issuanceId: string): Promise<IssuanceOutcome> {
  const id = parseInput(z.object({ issuanceId: externalId }), { issuanceId }, 'getIssuanceOutcome').issuanceId;
  const [row] = await queryRows<OutcomeRow>(sequelize, undefined, 'SELECT * FROM ledger_issuance_outcomes WHERE issuance_id = $1', [id]);
  if (!row) {
    throw new LedgerError('issuance_not_found', `no event about issuance ${id} was received`, {
      issues: [{ path: 'issuanceId', code: 'issuance_not_found', message: 'no event about this issuance was received' }],
    });
  }
  const held = await findBonusItem(sequelize, undefined, id);
  const item: IssuanceBonusItem | null = held ? (({ contentHash: _hash, ...view }) => view)(held) : null;
  const consumedReward = item?.rewardId ? toReward(await findReward(sequelize, undefined, item.rewardId)) : null;
  return {
    issuanceId: row.issuance_id,
    subscriberId: row.subscriber_id,
    product: row.product,
    status: row.status,
    facts: row.facts,
    decision: row.decision,
    reason: row.reason,
    usageThresholdCrossedAt: row.usage_threshold_crossed_at,
    decidedBy: row.decided_by,
    receivedAt: row.received_at,
    decidedAt: row.decided_at,
    item,
    consumedReward,
  };
}
