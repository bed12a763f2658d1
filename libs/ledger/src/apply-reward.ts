import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { findBonusItem, insertBonusItem, type IssuanceBonusItem } from './bonus-slot';
import { LedgerError } from './ledger.errors';
import { actorSchema, externalId, parseInput, reasonSchema, validDate } from './ledger.schemas';
import { inLedgerTransaction, queryRows, RestartTransaction } from './ledger-sql';
import { findReward, toReward, transitionRewards, type Reward } from './reward-rows';

const applySchema = z.object({
  issuanceId: externalId,
  beneficiaryId: externalId,
  product: externalId,
  /** When the issuance was created: a reward earned after this instant is never applied to it. */
  issuanceCreatedAt: validDate,
  /** The instant expiry is judged at (default: now). */
  asOf: validDate.optional(),
  /**
   * False on the first issuance of a first-time subscriber: the issuance their converting payment
   * paid for. A referee's reward comes from that very conversion and never applies to its base
   * issuance (Kilo Pass rule 123); the subscriber's rewards as a referrer still may. Default true.
   */
  includeRefereeRewards: z.boolean().default(true),
  actor: actorSchema,
  reason: reasonSchema.default('applied to the next issuance as a referral bonus'),
});

export type ApplyRewardInput = z.input<typeof applySchema>;

export type ApplyRewardResult =
  | { outcome: 'applied'; issuanceId: string; reward: Reward; item: IssuanceBonusItem; replayed: boolean }
  | { outcome: 'no_reward_available'; issuanceId: string }
  | { outcome: 'slot_taken'; issuanceId: string; heldBy: IssuanceBonusItem };

interface IssuanceRow {
  issuance_id: string;
  beneficiary_id: string;
  product: string;
  issued_at: Date;
}

/**
 * Consumes the beneficiary's oldest pending, unexpired reward for the product, earned no later
 * than the issuance was created, as the issuance's `referral_bonus` item. One transaction; at most
 * one reward per issuance (the bonus slot and a unique index on the consumed reward's issuance).
 *
 * Idempotent per issuance: a retry returns the reward applied the first time. `slot_taken` when
 * another bonus-like item holds the slot; `no_reward_available` writes nothing but the issuance
 * record, so a later retry may still find a reward granted late for a conversion that preceded
 * the issuance.
 *
 * Races: candidate rewards are locked with FOR UPDATE SKIP LOCKED, so two issuances of one
 * beneficiary take two different rewards instead of queueing, and a reward an expiry run holds is
 * passed over; the slot row is inserted before the reward moves, so a concurrent claim of the same
 * slot makes this transaction restart and answer from the winner.
 */
export async function applyRewardToIssuance(sequelize: Sequelize, input: ApplyRewardInput): Promise<ApplyRewardResult> {
  const a = parseInput(applySchema, input, 'applyRewardToIssuance');
  const asOf = a.asOf ?? new Date();
  return inLedgerTransaction(sequelize, async (t) => {
    await queryRows(
      sequelize,
      t,
      `INSERT INTO ledger_issuances (issuance_id, beneficiary_id, product, issued_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (issuance_id) DO NOTHING RETURNING issuance_id`,
      [a.issuanceId, a.beneficiaryId, a.product, a.issuanceCreatedAt],
    );
    const [issuance] = await queryRows<IssuanceRow>(sequelize, t, 'SELECT * FROM ledger_issuances WHERE issuance_id = $1', [
      a.issuanceId,
    ]);
    if (
      !issuance ||
      issuance.beneficiary_id !== a.beneficiaryId ||
      issuance.product !== a.product ||
      issuance.issued_at.getTime() !== a.issuanceCreatedAt.getTime()
    ) {
      throw new LedgerError('exists_with_different_content', `issuance ${a.issuanceId} was recorded with other details`, {
        details: {
          issuanceId: a.issuanceId,
        },
      });
    }

    const held = await findBonusItem(sequelize, t, a.issuanceId);
    if (held) return answerFromHolder(sequelize, t, a.issuanceId, held);

    const rewardId = await pickReward(sequelize, t, a.beneficiaryId, a.product, a.issuanceCreatedAt, asOf, a.includeRefereeRewards);
    if (rewardId === null) return { outcome: 'no_reward_available', issuanceId: a.issuanceId };

    const item = await insertBonusItem(sequelize, t, {
      issuanceId: a.issuanceId,
      itemKind: 'referral_bonus',
      rewardId,
      claimKey: `apply-reward:${a.issuanceId}`,
      actor: a.actor,
      reason: a.reason,
    });
    // Someone took the slot while we chose: roll back and answer from what they committed.
    if (!item) throw new RestartTransaction(`bonus slot of issuance ${a.issuanceId} taken concurrently`);

    const [moved] = await transitionRewards(sequelize, t, {
      selection: { by: 'ids', ids: [rewardId] },
      from: ['pending'],
      to: 'applied',
      operation: 'apply_to_issuance',
      actor: a.actor,
      reason: a.reason,
      externalIds: { issuance_id: a.issuanceId },
      consumption: { issuanceId: a.issuanceId, appliedAt: asOf },
    });
    // The row was locked by pickReward, so nothing can have moved it since.
    if (!moved) throw new LedgerError('ledger_invariant_broken', `reward ${rewardId} left pending while locked`);
    return { outcome: 'applied', issuanceId: a.issuanceId, reward: toReward(moved.row), item, replayed: false };
  });
}

async function answerFromHolder(
  sequelize: Sequelize,
  t: Transaction,
  issuanceId: string,
  held: IssuanceBonusItem & { contentHash: string },
): Promise<ApplyRewardResult> {
  const { contentHash: _hash, ...item } = held;
  if (item.itemKind === 'referral_bonus' && item.rewardId !== null) {
    const reward = await findReward(sequelize, t, item.rewardId);
    return { outcome: 'applied', issuanceId, reward: toReward(reward), item, replayed: true };
  }
  return { outcome: 'slot_taken', issuanceId, heldBy: item };
}

/**
 * The oldest eligible reward, locked. SKIP LOCKED first, so concurrent appliers do not queue on
 * one row; when every candidate is locked, wait for the oldest (its holder may roll back) and
 * take it if it is still pending once the lock is ours.
 */
async function pickReward(
  sequelize: Sequelize,
  t: Transaction,
  beneficiaryId: string,
  product: string,
  issuedAt: Date,
  asOf: Date,
  includeRefereeRewards: boolean,
): Promise<string | null> {
  const candidates = `SELECT id FROM ledger_rewards
     WHERE beneficiary_id = $1 AND product = $2 AND status = 'pending'
       AND earned_at <= $3 AND (expires_at IS NULL OR expires_at > $4)
       AND ($5::boolean OR role <> 'referee')
     ORDER BY earned_at, id LIMIT 1`;
  const bind = [beneficiaryId, product, issuedAt, asOf, includeRefereeRewards];
  const [free] = await queryRows<{ id: string }>(sequelize, t, `${candidates} FOR UPDATE SKIP LOCKED`, bind);
  if (free) return String(free.id);
  const [waited] = await queryRows<{ id: string }>(sequelize, t, `${candidates} FOR UPDATE`, bind);
  return waited ? String(waited.id) : null;
}
