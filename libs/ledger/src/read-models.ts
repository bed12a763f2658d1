import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { externalId, parseInput, programKeySchema } from './ledger.schemas';
import { type JoinTransaction, queryRows, safeInteger } from './ledger-sql';
import { readTransaction, type PostedTransaction } from './post-transactions';
import {
  findReward,
  toReward,
  toRewardEvent,
  type Reward,
  type RewardEvent,
  type RewardEventRow,
  type RewardRow,
} from './reward-rows';
import { rewardStatuses, type RewardStatus } from './reward-states';

/** Operators' views. Read-only, outside any transaction: each is one consistent statement. */

const listSchema = z.object({
  status: z.union([z.enum(rewardStatuses), z.array(z.enum(rewardStatuses)).min(1)]).optional(),
  beneficiaryId: externalId.optional(),
  programKey: programKeySchema.optional(),
  /** The rewards of one conversion (`stripe:in_123`): what a conversion granted. */
  sourceConversionId: externalId.optional(),
  /** Keyset pagination: rewards with a greater id than this one. */
  afterId: z.string().regex(/^\d{1,19}$/).optional(),
  limit: z.number().int().min(1).max(1_000).default(100),
});

export type ListRewardsFilter = z.input<typeof listSchema>;

/** Rewards by state (and beneficiary, program), oldest first, a page at a time. */
export async function listRewards(sequelize: Sequelize, filter: ListRewardsFilter = {}): Promise<Reward[]> {
  const f = parseInput(listSchema, filter, 'listRewards');
  const statuses = f.status === undefined ? null : Array.isArray(f.status) ? f.status : [f.status];
  const rows = await queryRows<RewardRow>(
    sequelize,
    undefined,
    `SELECT * FROM ledger_rewards
      WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
        AND ($2::text IS NULL OR beneficiary_id = $2)
        AND ($3::text IS NULL OR program_key = $3)
        AND id > $4::bigint
        AND ($6::text IS NULL OR source_conversion_id = $6)
      ORDER BY id LIMIT $5`,
    [statuses, f.beneficiaryId ?? null, f.programKey ?? null, f.afterId ?? '0', f.limit, f.sourceConversionId ?? null],
  );
  return rows.map(toReward);
}

/** How many rewards (and recorded non-grants) are in each status; zero for absent ones. */
export async function countRewardsByStatus(
  sequelize: Sequelize,
  filter: { programKey?: string } = {},
): Promise<Record<RewardStatus, number>> {
  const f = parseInput(z.object({ programKey: programKeySchema.optional() }), filter, 'countRewardsByStatus');
  const rows = await queryRows<{ status: RewardStatus; n: string }>(
    sequelize,
    undefined,
    `SELECT status, count(*) AS n FROM ledger_rewards WHERE ($1::text IS NULL OR program_key = $1) GROUP BY status`,
    [f.programKey ?? null],
  );
  const counts = Object.fromEntries(rewardStatuses.map((s) => [s, 0])) as Record<RewardStatus, number>;
  for (const row of rows) counts[row.status] = safeInteger(row.n, 'count');
  return counts;
}

export interface BeneficiaryBalance {
  programKey: string;
  unit: string;
  /** What the beneficiary is owed and has not consumed: credits minus debits of the account. */
  balanceMinor: number;
  /** How many rewards make it up (pending or earned). */
  openRewards: number;
}

/** Per program and unit, what one beneficiary is owed (from the account's posted totals). */
export async function getBeneficiaryBalances(sequelize: Sequelize, beneficiaryId: string): Promise<BeneficiaryBalance[]> {
  const id = parseInput(externalId, beneficiaryId, 'getBeneficiaryBalances');
  const rows = await queryRows<{ program_key: string; unit: string; balance: string; open_rewards: string }>(
    sequelize,
    undefined,
    `SELECT a.program_key, a.unit, a.credits_posted_minor - a.debits_posted_minor AS balance,
            (SELECT count(*) FROM ledger_rewards r
              WHERE r.beneficiary_id = a.owner_id AND r.program_key = a.program_key AND r.unit = a.unit
                AND r.status IN ('pending', 'earned')) AS open_rewards
       FROM ledger_accounts a
      WHERE a.kind = 'beneficiary' AND a.owner_id = $1
      ORDER BY a.program_key, a.unit`,
    [id],
  );
  return rows.map((r) => ({
    programKey: r.program_key,
    unit: r.unit,
    balanceMinor: safeInteger(r.balance, 'balance'),
    openRewards: safeInteger(r.open_rewards, 'open rewards'),
  }));
}

export interface PendingExplanation {
  reward: Reward;
  /** `next_issuance`: pending, consumed by the next eligible issuance; `release`: earned, held. */
  waitingFor: 'next_issuance' | 'release';
  why: string;
}

export interface PendingReport {
  /** Rewards owed and not consumed yet, oldest first, each with what it waits for. */
  waiting: PendingExplanation[];
  /** Decisions that granted nothing (cap_limited, disqualified), with their reasons. */
  notGranted: Reward[];
}

/** What is pending and why (and what was not granted and why), for a beneficiary or a program. */
export async function explainPendingRewards(
  sequelize: Sequelize,
  filter: { beneficiaryId?: string; programKey?: string; limit?: number },
): Promise<PendingReport> {
  const f = parseInput(
    z.object({
      beneficiaryId: externalId.optional(),
      programKey: programKeySchema.optional(),
      limit: z.number().int().min(1).max(1_000).default(200),
    }),
    filter,
    'explainPendingRewards',
  );
  const rows = await queryRows<RewardRow>(
    sequelize,
    undefined,
    `SELECT * FROM ledger_rewards
      WHERE status IN ('pending', 'earned', 'cap_limited', 'disqualified')
        AND ($1::text IS NULL OR beneficiary_id = $1) AND ($2::text IS NULL OR program_key = $2)
      ORDER BY earned_at, id LIMIT $3`,
    [f.beneficiaryId ?? null, f.programKey ?? null, f.limit],
  );
  const rewards = rows.map(toReward);
  return {
    waiting: rewards
      .filter((r) => r.status === 'pending' || r.status === 'earned')
      .map((reward) => ({
        reward,
        waitingFor: reward.status === 'pending' ? 'next_issuance' : 'release',
        why:
          `${reward.role} reward of ${reward.amountMinor} ${reward.unit} from conversion ${reward.sourceConversionId} ` +
          `(${reward.decisionReason}); ` +
          (reward.status === 'pending'
            ? `waits for the next ${reward.product} issuance created after ${reward.earnedAt.toISOString()}`
            : 'held until released') +
          (reward.expiresAt ? `; expires ${reward.expiresAt.toISOString()}` : ''),
      })),
    notGranted: rewards.filter((r) => r.status === 'cap_limited' || r.status === 'disqualified'),
  };
}

export interface RewardHistory {
  reward: Reward;
  /** Audit trail, oldest first: creation, then every transition. */
  events: RewardEvent[];
  /** Its bookings, oldest first. */
  transactions: PostedTransaction[];
}

export async function getRewardHistory(sequelize: Sequelize, rewardId: string): Promise<RewardHistory> {
  const row = await findReward(sequelize, undefined, rewardId);
  const events = await queryRows<RewardEventRow>(
    sequelize,
    undefined,
    'SELECT * FROM ledger_reward_events WHERE reward_id = $1 ORDER BY id',
    [rewardId],
  );
  const txIds = await queryRows<{ id: string }>(
    sequelize,
    undefined,
    'SELECT id FROM ledger_transactions WHERE reward_id = $1 ORDER BY id',
    [rewardId],
  );
  const transactions: PostedTransaction[] = [];
  for (const { id } of txIds) transactions.push(await readTransaction(sequelize, undefined, String(id)));
  return { reward: toReward(row), events: events.map(toRewardEvent), transactions };
}

/**
 * The conversions (other than `exceptConversionId`) for which the referral has a decided reward in
 * the program, in any status: what the first-qualifying-event rule asks ("was another event of
 * this referral rewarded already?"). Joined to the caller's transaction, so the caller can ask it
 * under the lock that orders the referral's events.
 */
export async function otherRewardedConversions(
  sequelize: Sequelize,
  input: { programKey: string; referralId: string; exceptConversionId: string },
  options: JoinTransaction = {},
): Promise<string[]> {
  const rows = await queryRows<{ source_conversion_id: string }>(
    sequelize,
    options.transaction,
    `SELECT DISTINCT source_conversion_id FROM ledger_rewards
      WHERE source_referral_id = $1 AND program_key = $2 AND source_conversion_id <> $3`,
    [input.referralId, input.programKey, input.exceptConversionId],
    { prepare: true },
  );
  return rows.map((r) => r.source_conversion_id);
}
