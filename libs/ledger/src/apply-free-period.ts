import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { addCalendarMonths } from './calendar-months';
import { LedgerError } from './ledger.errors';
import { actorSchema, externalId, parseInput, validDate } from './ledger.schemas';
import { inLedgerTransaction, type JoinTransaction, queryRows } from './ledger-sql';
import { toReward, transitionRewards, type Reward, type RewardRow } from './reward-rows';

const applyFreePeriodSchema = z.object({
  /** The host's subscription whose renewal moves. */
  subscriptionId: externalId,
  beneficiaryId: externalId,
  product: externalId,
  /** The renewal boundary the reward delays (the next unpaid renewal). */
  renewsAt: validDate,
  /** When the host applies it: a reward earned later, or expired by then, is not used. */
  asOf: validDate,
  actor: actorSchema,
});

export type ApplyFreePeriodInput = z.input<typeof applyFreePeriodSchema>;

export type ApplyFreePeriodResult =
  | { outcome: 'applied'; reward: Reward; renewsAt: Date; newRenewsAt: Date; replayed: boolean }
  | { outcome: 'no_reward_available'; renewsAt: Date };

const PERIOD_STEPS: Readonly<Record<string, (count: number) => (at: Date) => Date>> = {
  month: (count) => (at) => addCalendarMonths(at, count),
  week: (count) => (at) => new Date(at.getTime() + count * 7 * 86_400_000),
  day: (count) => (at) => new Date(at.getTime() + count * 86_400_000),
};

/**
 * Free-period fulfilment (KiloClaw's free month, rules 86-91): the beneficiary's oldest pending
 * unexpired `free_period` reward of the product, earned no later than `asOf`, is applied to ONE
 * renewal boundary, which moves by the reward's period (a month: one calendar month, day of month
 * clamped). One reward per boundary: the consumption id is `renewal:<subscription>:<boundary>`, so
 * a retry answers the reward applied the first time; stacked rewards move the boundary once each
 * (the host applies the next to the moved boundary). Simplified: the engine answers the new
 * boundary; moving the subscription in the billing system stays the host's.
 */
export async function applyFreePeriodReward(sequelize: Sequelize, input: ApplyFreePeriodInput, options: JoinTransaction = {}): Promise<ApplyFreePeriodResult> {
  const a = parseInput(applyFreePeriodSchema, input, 'applyFreePeriodReward');
  const consumptionId = `renewal:${a.subscriptionId}:${a.renewsAt.toISOString()}`;
  return inLedgerTransaction(
    sequelize,
    async (t) => {
      const [done] = await queryRows<RewardRow>(sequelize, t, 'SELECT * FROM ledger_rewards WHERE consumed_by_issuance_id = $1', [consumptionId]);
      if (done) {
        const reward = toReward(done);
        return { outcome: 'applied', reward, renewsAt: a.renewsAt, newRenewsAt: moved(reward, a.renewsAt), replayed: true };
      }
      const [candidate] = await queryRows<{ id: string }>(
        sequelize,
        t,
        `SELECT id FROM ledger_rewards
          WHERE beneficiary_id = $1 AND product = $2 AND status = 'pending' AND kind = 'free_period'
            AND earned_at <= $3 AND (expires_at IS NULL OR expires_at > $3)
          ORDER BY earned_at, id LIMIT 1 FOR UPDATE`,
        [a.beneficiaryId, a.product, a.asOf],
      );
      if (!candidate) return { outcome: 'no_reward_available', renewsAt: a.renewsAt };
      const [applied] = await transitionRewards(sequelize, t, {
        selection: { by: 'ids', ids: [String(candidate.id)] },
        from: ['pending'],
        to: 'applied',
        operation: 'apply_free_period',
        actor: a.actor,
        reason: 'applied as a free period: the renewal moved',
        externalIds: { subscription_id: a.subscriptionId, renews_at: a.renewsAt.toISOString() },
        consumption: { issuanceId: consumptionId, appliedAt: a.asOf },
      });
      if (!applied) throw new LedgerError('ledger_invariant_broken', `reward ${candidate.id} left pending while locked`);
      const reward = toReward(applied.row);
      return { outcome: 'applied', reward, renewsAt: a.renewsAt, newRenewsAt: moved(reward, a.renewsAt), replayed: false };
    },
    options.transaction,
  );
}

/** The boundary after the reward's period (its amount is the count, its unit the period). */
function moved(reward: Reward, renewsAt: Date): Date {
  const step = reward.unit ? PERIOD_STEPS[reward.unit] : undefined;
  if (!step || reward.amountMinor === null) throw new LedgerError('ledger_invariant_broken', `reward ${reward.id} is not a free period (${reward.kind}, ${reward.unit})`);
  return step(reward.amountMinor)(renewsAt);
}
