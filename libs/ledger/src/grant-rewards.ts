import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { LOCK_CONVERSION_CTE } from './conversion-lock';
import { ensureAccountsCte, withPolicies, type AccountKey } from './accounts';
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
import { assertBalanced, entriesCtes, legRows, postingHash, type Posting } from './post-transactions';
import { initialRewardStates } from './reward-states';
import { rewardKinds, toReward, type Reward, type RewardRole, type RewardRow } from './reward-rows';

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

function beneficiaryAccountOf(g: ParsedGrant, role: RewardRole, unit: string): AccountKey {
  return { kind: 'beneficiary', program_key: g.programKey, owner_id: beneficiaryOf(g, role), unit };
}

function liabilityOf(g: ParsedGrant, unit: string): AccountKey {
  return { kind: 'program_liability', program_key: g.programKey, owner_id: '', unit };
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
 * ONE database transaction of two statements. Idempotent per (program, conversion, role): a role
 * decided before with the same content is returned as it was (and nothing is written); with other
 * content it is `exists_with_different_content`.
 *
 * Races. The first statement locks the conversion's row (see conversion-lock.ts), so grants and
 * adverse notices of one conversion run one after the other: a grant after a notice is recorded
 * as `disqualified`; a notice after a grant cancels it. A duplicate grant that waited for the lock
 * cannot see the first grant's rewards in that statement's snapshot; it then collides with them
 * on the unique (conversion, program, role) index, restarts, and answers as a replay.
 *
 * Referrer cap: one counter row per (program, referrer), taken by a single conditional upsert
 * (`... DO UPDATE SET granted_count = granted_count + 1 WHERE granted_count < cap`). The upsert
 * locks the row until commit, so concurrent grants for one referrer take slots strictly one after
 * another and none can exceed the cap; a grant finding no slot records the referrer's reward as
 * `cap_limited` (the referee's reward does not depend on it). We chose a counter row over counting
 * the referrer's rewards under a lock because it is O(1) and needs no separate lock row; canceled
 * and reversed rewards give their slot back, and verifyLedger recounts the counter from the rewards.
 */
export async function grantRewards(sequelize: Sequelize, input: GrantRewardsInput): Promise<GrantRewardsResult> {
  const g = parseInput(grantRewardsSchema, input, 'grantRewards');
  const planned = g.outcomes.map((outcome) => ({ outcome, hash: roleContentHash(g, outcome) }));
  const accounts = planned.flatMap(({ outcome }) =>
    outcome.decision === 'grant'
      ? [
          { role: outcome.role, ...liabilityOf(g, outcome.unit) },
          { role: outcome.role, ...beneficiaryAccountOf(g, outcome.role, outcome.unit) },
        ]
      : [],
  );

  return inLedgerTransaction(sequelize, async (t) => {
    // Statement 1: lock the conversion, create the accounts the new roles need (none on a replay),
    // and read what was decided before.
    const existing = await queryRows<RewardRow & { adverse_kind: string | null }>(
      sequelize,
      t,
      `WITH ${LOCK_CONVERSION_CTE}, ${ensureAccountsCte(3, `EXISTS (SELECT 1 FROM ledger_rewards r
           WHERE r.source_conversion_id = $1 AND r.program_key = $2 AND r.role = w.role)`)}
       SELECT (SELECT adverse_kind FROM conversion) AS adverse_kind, r.*
         FROM (SELECT 1) AS one
         LEFT JOIN ledger_rewards r ON r.source_conversion_id = $1 AND r.program_key = $2`,
      [g.conversionId, g.programKey, JSON.stringify(withPolicies(accounts))],
    );
    const adverseKind = existing[0]?.adverse_kind ?? null;
    const byRole = new Map<RewardRole, RewardRow>(
      existing.filter((r) => r.id !== null).map(({ adverse_kind: _, ...r }) => [r.role, r]),
    );

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
    if (toCreate.length > 0) {
      // Statement 2: everything else.
      for (const row of await insertDecisions(sequelize, t, g, toCreate, adverseKind)) byRole.set(row.role, row);
    }
    return {
      programKey: g.programKey,
      conversionId: g.conversionId,
      rewards: planned.map(({ outcome }) => toReward(byRole.get(outcome.role) as RewardRow)),
      replayed: toCreate.length === 0,
    };
  });
}

/**
 * One statement: take the referrer's cap slot, insert the reward rows (the referrer's becomes
 * `cap_limited` when no slot was free) with their audit rows, and post the grants of the rewards
 * that were granted: liability -> beneficiary, in a transaction keyed `reward:<id>:grant`.
 */
async function insertDecisions(
  sequelize: Sequelize,
  t: Transaction,
  g: ParsedGrant,
  toCreate: readonly { outcome: ParsedOutcome; hash: string }[],
  adverseKind: string | null,
): Promise<RewardRow[]> {
  let wantsSlot = false;
  const postings: object[] = [];
  const legs: object[] = [];
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
    const posting: Posting = {
      idempotencyKey: `reward:(new ${outcome.role}):grant`,
      kind: 'reward_grant',
      unit: outcome.unit,
      rewardId: null,
      reason: outcome.reason,
      externalIds: { conversion_id: g.conversionId, referral_id: g.referralId },
      legs: [
        { account: liabilityOf(g, outcome.unit), side: 'debit', amountMinor: outcome.amountMinor },
        { account: beneficiaryAccountOf(g, outcome.role, outcome.unit), side: 'credit', amountMinor: outcome.amountMinor },
      ],
    };
    assertBalanced(posting);
    postings.push({
      ref: outcome.role,
      content_hash: postingHash(posting),
      kind: posting.kind,
      unit: posting.unit,
      reason: posting.reason,
      external_ids: posting.externalIds,
    });
    legs.push(...legRows(outcome.role, posting.legs));
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

  const inserted = await queryRows<RewardRow & { entry_count: string }>(
    sequelize,
    t,
    `WITH slot AS (
       -- Takes one capped slot of the referrer; returns no row when the cap is reached.
       INSERT INTO ledger_referrer_caps AS c (program_key, referrer_id, granted_count)
       SELECT $3, $4, 1 WHERE $5::boolean
       ON CONFLICT (program_key, referrer_id) DO UPDATE SET granted_count = c.granted_count + 1
         WHERE $6::int IS NULL OR c.granted_count < $6::int
       RETURNING granted_count
     ), decided AS (
       SELECT i.*, (i.needs_slot AND NOT EXISTS (SELECT 1 FROM slot)) AS capped
         FROM jsonb_to_recordset($7::jsonb) AS i(
           role text, beneficiary_id text, status text, needs_slot boolean, kind text, amount_minor bigint, percent numeric,
           base_minor bigint, unit text, expires_at timestamptz, decision_reason text, referrer_cap int, content_hash text)
     ), inserted AS (
       INSERT INTO ledger_rewards
         (program_key, program_version, product, source_conversion_id, source_referral_id, referrer_id, referee_id, role,
          beneficiary_id, status, kind, amount_minor, percent, base_minor, unit, earned_at, expires_at, decision_reason,
          referrer_cap, content_hash)
       SELECT $3, $8, $9, $10, $11, $4, $12, d.role, d.beneficiary_id,
              CASE WHEN d.capped THEN 'cap_limited' ELSE d.status END,
              d.kind, d.amount_minor, d.percent, d.base_minor, d.unit, $13, d.expires_at,
              CASE WHEN d.capped THEN $14 ELSE d.decision_reason END,
              d.referrer_cap, d.content_hash
         FROM decided d
       RETURNING *
     ), audit AS (
       INSERT INTO ledger_reward_events (reward_id, from_status, to_status, operation, actor, reason, external_ids)
       SELECT id, NULL, status, 'grant', $15, decision_reason,
              jsonb_build_object('conversion_id', source_conversion_id, 'referral_id', source_referral_id,
                                 'program_version', program_version::text)
         FROM inserted
     ), txs AS (
       INSERT INTO ledger_transactions (idempotency_key, content_hash, kind, unit, reward_id, reason, external_ids)
       SELECT 'reward:' || r.id || ':grant', p.content_hash, p.kind, p.unit, r.id, p.reason, p.external_ids
         FROM jsonb_to_recordset($1::jsonb) AS p(ref text, content_hash text, kind text, unit text, reason text, external_ids jsonb)
         JOIN inserted r ON r.role = p.ref
        WHERE r.status IN ('pending', 'earned')
       RETURNING id, reward_id
     ), new_txs AS (
       SELECT t.id, r.role AS ref FROM txs t JOIN inserted r ON r.id = t.reward_id
     ), ${entriesCtes(2)}
     SELECT i.*, (SELECT count(*) FROM entries) AS entry_count FROM inserted i`,
    [
      JSON.stringify(postings),
      JSON.stringify(legs),
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
  const booked = inserted.filter((r) => r.status === 'pending' || r.status === 'earned').length;
  if (inserted.length !== toCreate.length || Number(inserted[0]?.entry_count ?? 0) !== 2 * booked) {
    throw new LedgerError('ledger_invariant_broken', `grant of conversion ${g.conversionId}: rewards or entries missing`);
  }
  return inserted.map(({ entry_count: _, ...row }) => row);
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
