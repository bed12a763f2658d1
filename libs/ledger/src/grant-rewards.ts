import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { lockConversion } from './conversion-lock';
import { ENSURE_ACCOUNTS_CTE, withPolicies, type AccountKey } from './accounts';
import { LedgerError } from './ledger.errors';
import {
  actorSchema,
  amountMinorSchema,
  externalId,
  parseInput,
  percentSchema,
  programKeySchema,
  reasonSchema,
  unitSchema,
  validDate,
} from './ledger.schemas';
import { contentHash, inLedgerTransaction, queryRows } from './ledger-sql';
import { postTransactions } from './post-transactions';
import { initialRewardStates } from './reward-states';
import { movePosting, rewardKinds, toReward, type Reward, type RewardRole, type RewardRow } from './reward-rows';

const roleSchema = z.enum(['referrer', 'referee']);

/** What the rule engine decided for one role of one qualifying conversion, as plain data. */
const roleOutcomeSchema = z.discriminatedUnion('decision', [
  z
    .object({
      role: roleSchema,
      decision: z.literal('grant'),
      kind: z.enum(rewardKinds),
      amountMinor: amountMinorSchema,
      /** Percent rewards only: the exact rate and the base amount it was taken of. */
      percent: percentSchema.optional(),
      baseMinor: z
        .number()
        .refine((n) => Number.isSafeInteger(n) && n >= 0, 'must be a non-negative safe integer')
        .optional(),
      unit: unitSchema,
      initialStatus: z.enum(initialRewardStates),
      /** When an unconsumed pending reward expires; null: never. */
      expiresAt: validDate.nullable(),
      /** Which rule granted it (shown in "what is pending and why"). */
      reason: reasonSchema,
    })
    .superRefine((o, ctx) => {
      const isPercent = o.kind === 'percent';
      if (isPercent !== (o.percent !== undefined) || isPercent !== (o.baseMinor !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['percent'],
          message: 'percent and baseMinor are required for percent rewards and only for them',
        });
      }
    }),
  z.object({ role: roleSchema, decision: z.literal('disqualified'), reason: reasonSchema }),
]);

const grantRewardsSchema = z
  .object({
    programKey: programKeySchema,
    programVersion: z.number().int().min(1),
    /** The product whose issuances may consume the rewards (`kilo-pass`). */
    product: externalId,
    /** The qualifying conversion: the payment or event id. Adverse payments name it. */
    conversionId: externalId,
    referralId: externalId,
    referrerId: externalId,
    refereeId: externalId,
    /** When the conversion happened: the rewards' earning time. */
    earnedAt: validDate,
    /** At most this many rewards in a capped state for the referrer in this program; null: no cap. */
    referrerCap: z.number().int().min(0).nullable().default(null),
    outcomes: z.array(roleOutcomeSchema).min(1).max(2),
    actor: actorSchema,
  })
  .superRefine((g, ctx) => {
    if (g.referrerId === g.refereeId) {
      ctx.addIssue({ code: 'custom', path: ['refereeId'], message: 'referrer and referee must be different users' });
    }
    if (new Set(g.outcomes.map((o) => o.role)).size !== g.outcomes.length) {
      ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'at most one outcome per role' });
    }
    g.outcomes.forEach((o, i) => {
      if (o.decision === 'grant' && o.expiresAt !== null && o.expiresAt.getTime() <= g.earnedAt.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['outcomes', i, 'expiresAt'], message: 'must be after earnedAt' });
      }
    });
  });

export type GrantRewardsInput = z.input<typeof grantRewardsSchema>;
export type RoleOutcome = z.input<typeof roleOutcomeSchema>;
type ParsedGrant = z.output<typeof grantRewardsSchema>;
type ParsedOutcome = z.output<typeof roleOutcomeSchema>;

export interface GrantRewardsResult {
  programKey: string;
  conversionId: string;
  /** One per outcome given, in the same order: granted (pending/earned), cap_limited or disqualified. */
  rewards: Reward[];
  /** True when every role had already been decided with this same content: nothing was written. */
  replayed: boolean;
}

function beneficiaryOf(g: ParsedGrant, role: RewardRole): string {
  return role === 'referrer' ? g.referrerId : g.refereeId;
}

/**
 * What a replay must match, per role: everything the decision was made from. The actor is left
 * out, so the same decision retried by another worker is still a replay.
 */
function roleContentHash(g: ParsedGrant, outcome: ParsedOutcome): string {
  return contentHash({
    programKey: g.programKey,
    programVersion: g.programVersion,
    product: g.product,
    conversionId: g.conversionId,
    referralId: g.referralId,
    referrerId: g.referrerId,
    refereeId: g.refereeId,
    earnedAt: g.earnedAt,
    referrerCap: outcome.role === 'referrer' ? g.referrerCap : undefined,
    outcome,
  });
}

/**
 * Grants (or records as not granted) the rewards of ONE qualifying conversion, for both roles, in
 * ONE database transaction. Idempotent per (program, conversion, role): a role decided before
 * with the same content is returned as it was; with other content it is
 * `exists_with_different_content`.
 *
 * Races. An advisory lock on the conversion id serializes every grant and adverse notice of the
 * conversion, so duplicates wait and then see the first grant (read committed: each statement
 * sees what committed before it). The referrer cap is one row per (program, referrer) whose
 * counter is incremented by a single conditional upsert (`... DO UPDATE ... WHERE granted_count <
 * cap`): the upsert locks the row until commit, so concurrent grants for one referrer take slots
 * strictly one after another, and a grant that finds the cap reached records `cap_limited`. We
 * chose a counter row over counting rewards under a lock because it is O(1), needs no extra lock
 * row, and verifyLedger can recount it from the rewards at any time. A conversion whose payment
 * already has an adverse notice (it arrived first) is recorded as `disqualified`.
 */
export async function grantRewards(sequelize: Sequelize, input: GrantRewardsInput): Promise<GrantRewardsResult> {
  const g = parseInput(grantRewardsSchema, input, 'grantRewards');
  const planned = g.outcomes.map((outcome) => ({ outcome, hash: roleContentHash(g, outcome) }));

  return inLedgerTransaction(sequelize, async (t) => {
    await lockConversion(sequelize, t, g.conversionId);
    const existing = await queryRows<RewardRow & { adverse_kind: string | null }>(
      sequelize,
      t,
      `SELECT n.kind AS adverse_kind, r.*
         FROM (SELECT (SELECT kind FROM ledger_adverse_notices WHERE payment_id = $1 AND first_for_payment) AS kind) n
         LEFT JOIN ledger_rewards r ON r.source_conversion_id = $1 AND r.program_key = $2`,
      [g.conversionId, g.programKey],
    );
    const adverseKind = existing[0]?.adverse_kind ?? null;
    const byRole = new Map<RewardRole, RewardRow>(existing.filter((r) => r.id !== null).map(({ adverse_kind: _, ...r }) => [r.role, r]));

    for (const { outcome, hash } of planned) {
      const row = byRole.get(outcome.role);
      if (row && row.content_hash !== hash) {
        throw new LedgerError(
          'exists_with_different_content',
          `the ${outcome.role} of conversion ${g.conversionId} in ${g.programKey} was already decided with other content`,
          { programKey: g.programKey, conversionId: g.conversionId, role: outcome.role, rewardId: String(row.id) },
        );
      }
    }
    const toCreate = planned.filter(({ outcome }) => !byRole.has(outcome.role));
    if (toCreate.length === 0) {
      return {
        programKey: g.programKey,
        conversionId: g.conversionId,
        rewards: planned.map(({ outcome }) => toReward(byRole.get(outcome.role) as RewardRow)),
        replayed: true,
      };
    }

    const created = await insertDecisions(sequelize, t, g, toCreate, adverseKind);
    for (const row of created) byRole.set(row.role, row);
    const postings = created.flatMap((row) => {
      if (row.status !== 'pending' && row.status !== 'earned') return [];
      const posting = movePosting(row, null, row.status, row.decision_reason, {
        conversion_id: g.conversionId,
        referral_id: g.referralId,
      });
      return posting ? [posting] : [];
    });
    await postTransactions(sequelize, t, postings);

    return {
      programKey: g.programKey,
      conversionId: g.conversionId,
      rewards: planned.map(({ outcome }) => toReward(byRole.get(outcome.role) as RewardRow)),
      replayed: false,
    };
  });
}

/**
 * One statement: create the accounts the grants need, take the referrer's cap slot, insert the
 * reward rows (the referrer's becomes `cap_limited` when no slot was free) and their audit rows.
 */
async function insertDecisions(
  sequelize: Sequelize,
  t: Transaction,
  g: ParsedGrant,
  toCreate: readonly { outcome: ParsedOutcome; hash: string }[],
  adverseKind: string | null,
): Promise<RewardRow[]> {
  const accounts: AccountKey[] = [];
  let wantsSlot = false;
  const rows = toCreate.map(({ outcome, hash }) => {
    const beneficiaryId = beneficiaryOf(g, outcome.role);
    const common = { role: outcome.role, beneficiary_id: beneficiaryId, content_hash: hash, needs_slot: false };
    const cap = outcome.role === 'referrer' ? g.referrerCap : null;
    if (outcome.decision === 'disqualified' || adverseKind !== null) {
      const reason =
        outcome.decision === 'disqualified' ? outcome.reason : `the source payment had a ${adverseKind} notice before the grant`;
      return { ...common, status: 'disqualified', decision_reason: reason, referrer_cap: cap, ...amountFields(outcome) };
    }
    if (cap === 0) {
      return { ...common, status: 'cap_limited', decision_reason: capReason(0), referrer_cap: cap, ...amountFields(outcome) };
    }
    accounts.push(
      { kind: 'beneficiary', program_key: g.programKey, owner_id: beneficiaryId, unit: outcome.unit },
      { kind: 'program_liability', program_key: g.programKey, owner_id: '', unit: outcome.unit },
    );
    const needsSlot = outcome.role === 'referrer';
    wantsSlot ||= needsSlot;
    return {
      ...common,
      needs_slot: needsSlot,
      status: outcome.initialStatus,
      decision_reason: outcome.reason,
      referrer_cap: cap,
      ...amountFields(outcome),
    };
  });

  return queryRows<RewardRow>(
    sequelize,
    t,
    `${ENSURE_ACCOUNTS_CTE},
     slot AS (
       -- Takes one capped slot of the referrer; returns no row when the cap is reached.
       INSERT INTO ledger_referrer_caps AS c (program_key, referrer_id, granted_count)
       SELECT $2, $3, 1 WHERE $4::boolean
       ON CONFLICT (program_key, referrer_id) DO UPDATE SET granted_count = c.granted_count + 1
         WHERE $5::int IS NULL OR c.granted_count < $5::int
       RETURNING granted_count
     ), decided AS (
       SELECT i.*, (i.needs_slot AND NOT EXISTS (SELECT 1 FROM slot)) AS capped
         FROM jsonb_to_recordset($6::jsonb) AS i(
           role text, beneficiary_id text, status text, needs_slot boolean, kind text, amount_minor bigint, percent numeric,
           base_minor bigint, unit text, expires_at timestamptz, decision_reason text, referrer_cap int, content_hash text)
     ), inserted AS (
       INSERT INTO ledger_rewards
         (program_key, program_version, product, source_conversion_id, source_referral_id, referrer_id, referee_id, role,
          beneficiary_id, status, kind, amount_minor, percent, base_minor, unit, earned_at, expires_at, decision_reason,
          referrer_cap, content_hash)
       SELECT $2, $7, $8, $9, $10, $3, $11, d.role, d.beneficiary_id,
              CASE WHEN d.capped THEN 'cap_limited' ELSE d.status END,
              d.kind, d.amount_minor, d.percent, d.base_minor, d.unit, $12, d.expires_at,
              CASE WHEN d.capped THEN $13 ELSE d.decision_reason END,
              d.referrer_cap, d.content_hash
         FROM decided d
       RETURNING *
     ), audit AS (
       INSERT INTO ledger_reward_events (reward_id, from_status, to_status, operation, actor, reason, external_ids)
       SELECT id, NULL, status, 'grant', $14, decision_reason,
              jsonb_build_object('conversion_id', source_conversion_id, 'referral_id', source_referral_id,
                                 'program_version', program_version::text)
         FROM inserted
     )
     SELECT * FROM inserted`,
    [
      JSON.stringify(withPolicies(accounts)),
      g.programKey,
      g.referrerId,
      wantsSlot,
      g.referrerCap,
      JSON.stringify(rows),
      g.programVersion,
      g.product,
      g.conversionId,
      g.referralId,
      g.refereeId,
      g.earnedAt,
      capReason(g.referrerCap ?? 0),
      g.actor,
    ],
  );
}

function capReason(cap: number): string {
  return `referrer cap reached: the referrer already holds ${cap} reward${cap === 1 ? '' : 's'} of this program`;
}

function amountFields(outcome: ParsedOutcome) {
  if (outcome.decision === 'disqualified') {
    return { kind: null, amount_minor: null, percent: null, base_minor: null, unit: null, expires_at: null };
  }
  return {
    kind: outcome.kind,
    amount_minor: outcome.amountMinor,
    percent: outcome.percent ?? null,
    base_minor: outcome.baseMinor ?? null,
    unit: outcome.unit,
    expires_at: outcome.expiresAt,
  };
}
