import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { LOCK_CONVERSION_CTE } from './conversion-lock';
import { withPolicies, type AccountKey } from './accounts';
import { LedgerError } from './ledger.errors';
import {
  actorSchema,
  amountMinorSchema,
  conversionKeyText,
  externalId,
  parseInput,
  percentSchema,
  programKeySchema,
  reasonSchema,
  unitSchema,
  validDate,
} from './ledger.schemas';
import { inLedgerTransaction, type JoinTransaction, queryRows, RestartTransaction, sha256Hex } from './ledger-sql';
import { assertBalanced, entriesCtes, LEG_COLUMNS, legRows, postingHash, type Posting } from './post-transactions';
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
    /** The product whose issuances may consume the rewards (`kilo_pass`). */
    product: externalId,
    /** The qualifying conversion: the payment or event id. Adverse payments name it. */
    conversionId: conversionKeyText,
    referralId: externalId,
    referrerId: externalId,
    refereeId: externalId,
    /** When the conversion happened: the rewards' earning time. */
    earnedAt: validDate,
    /** The tier of the source conversion the amounts were computed from (Kilo rule 118); null: none. */
    sourceTier: z.string().min(1).max(64).nullable().default(null),
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
function roleContentHash(g: ParsedGrant, o: ParsedOutcome): string {
  // An explicit tuple (cheaper than canonical JSON on the hot path, and stable by construction).
  const decided =
    o.decision === 'grant'
      ? [o.kind, o.amountMinor, o.percent ?? null, o.baseMinor ?? null, o.unit, o.initialStatus, o.expiresAt?.toISOString() ?? null, o.reason]
      : [o.reason];
  return sha256Hex(
    JSON.stringify([
      'grant/1',
      g.programKey,
      g.programVersion,
      g.product,
      g.conversionId,
      g.referralId,
      g.referrerId,
      g.refereeId,
      g.earnedAt.toISOString(),
      o.role === 'referrer' ? g.referrerCap : null,
      o.role,
      o.decision,
      ...decided,
    ]),
  );
}

/**
 * Grants (or records as not granted) the rewards of ONE qualifying conversion, for both roles, in
 * ONE database transaction made of ONE statement (see grantStatement). Idempotent per (program,
 * conversion, role): a role decided before with the same content is returned as it was, and
 * nothing is written; with other content it is `exists_with_different_content` (and nothing is
 * written either: the whole transaction rolls back).
 *
 * Races. The statement first locks the conversion's row (see conversion-lock.ts), so grants and
 * adverse notices of one conversion run one after the other: a grant after a notice is recorded
 * as `disqualified`; a notice after a grant cancels it. A duplicate grant that waited for the lock
 * cannot see the first grant's rewards in its statement's snapshot; it collides with them on the
 * unique (conversion, program, role) index instead, restarts, and answers as a replay.
 *
 * Referrer cap: one counter row per (program, referrer), taken by a single conditional upsert
 * (`... DO UPDATE SET granted_count = granted_count + 1 WHERE granted_count < cap`). The upsert
 * locks the row until commit, so concurrent grants for one referrer take slots strictly one after
 * another and none can exceed the cap; a grant finding no slot records the referrer's reward as
 * `cap_limited` (the referee's reward does not depend on it). We chose a counter row over counting
 * the referrer's rewards under a lock because it is O(1) and needs no separate lock row; canceled
 * and reversed rewards give their slot back, and verifyLedger recounts the counter from the rewards.
 */
export async function grantRewards(sequelize: Sequelize, input: GrantRewardsInput, options: JoinTransaction = {}): Promise<GrantRewardsResult> {
  const g = parseInput(grantRewardsSchema, input, 'grantRewards');
  const planned = g.outcomes.map((outcome) => ({ outcome, hash: roleContentHash(g, outcome) }));
  const params = grantParameters(g, planned);

  return inLedgerTransaction(sequelize, async (t) => {
    const rows = await queryRows<RewardRow & { origin: 'existing' | 'inserted'; entry_count: string }>(
      sequelize,
      t,
      GRANT_STATEMENT,
      params,
      // Prepared (see queryRows): every lookup in it is by a unique key (the conversion, the roles'
      // rewards, the referrer's cap row, accounts by natural key), planned as an index lookup even
      // on a young table; and autovacuum's ANALYZE replaces any cached plan as the tables grow.
      { prepare: true },
    );
    const byRole = new Map<RewardRole, RewardRow>();
    let inserted = 0;
    let booked = 0;
    let entryCount = 0;
    for (const { origin, entry_count, ...row } of rows) {
      byRole.set(row.role, row);
      entryCount = Number(entry_count);
      if (origin === 'inserted') {
        inserted += 1;
        if (row.status === 'pending' || row.status === 'earned') booked += 1;
      }
    }
    for (const { outcome, hash } of planned) {
      const row = byRole.get(outcome.role);
      if (!row) throw new LedgerError('ledger_invariant_broken', `grant of ${g.conversionId}: no ${outcome.role} row`);
      if (row.content_hash !== hash) {
        throw new LedgerError(
          'exists_with_different_content',
          `the ${outcome.role} of conversion ${g.conversionId} in ${g.programKey} was already decided with other content`,
          { details: { programKey: g.programKey, conversionId: g.conversionId, role: outcome.role, rewardId: String(row.id) } },
        );
      }
    }
    // An account created by a concurrent transaction after our snapshot cannot be joined by this
    // statement: its entries are missing. Rare (two first rewards of one user at once): start over.
    if (entryCount !== 2 * booked) throw new RestartTransaction(`grant of ${g.conversionId}: an account appeared concurrently`);
    return {
      programKey: g.programKey,
      conversionId: g.conversionId,
      rewards: planned.map(({ outcome }) => toReward(byRole.get(outcome.role) as RewardRow)),
      replayed: inserted === 0,
    };
  }, options.transaction);
}

/**
 * Everything a grant does, as one statement (one round trip, planned once per connection):
 * 1. `conversion`: lock the conversion row; learn whether an adverse notice came first;
 * 2. `existing`: the roles decided before (from the snapshot: a replay writes nothing);
 * 3. `slot`: take the referrer's cap slot when the referrer's reward is new and granted;
 * 4. `inserted` + `audit`: the new reward rows (granted, `cap_limited`, or `disqualified`) and
 *    their creation audit rows;
 * 5. `granted_legs` + `new_accounts`: the postings of granted rewards (liability -> beneficiary),
 *    and the accounts they need that do not exist yet, created with these legs as their totals;
 * 6. `txs`, `entries`, `totals`: the ledger transactions (`reward:<id>:grant`), their entries, and
 *    the running totals of the accounts that existed before.
 * It returns the existing and the inserted rows; the caller checks their content hashes.
 */
const GRANT_STATEMENT = `
  WITH ${LOCK_CONVERSION_CTE},
  adverse AS (
    SELECT (SELECT adverse_kind FROM conversion) AS kind
  ), existing AS (
    SELECT * FROM ledger_rewards WHERE source_conversion_id = $1 AND program_key = $2
  ), slot AS (
    -- Takes one capped slot of the referrer; no row when the cap is reached.
    INSERT INTO ledger_referrer_caps AS c (program_key, referrer_id, granted_count)
    SELECT $2, $3, 1
     WHERE $4::boolean
       AND NOT EXISTS (SELECT 1 FROM existing WHERE role = 'referrer')
       AND (SELECT kind FROM adverse) IS NULL
    ON CONFLICT (program_key, referrer_id) DO UPDATE SET granted_count = c.granted_count + 1
      WHERE $5::int IS NULL OR c.granted_count < $5::int
    RETURNING granted_count
  ), decided AS (
    SELECT d.*,
           CASE WHEN (SELECT kind FROM adverse) IS NOT NULL AND d.status IN ('pending', 'earned', 'cap_limited') THEN 'disqualified'
                WHEN d.needs_slot AND NOT EXISTS (SELECT 1 FROM slot) THEN 'cap_limited'
                ELSE d.status END AS final_status
      FROM jsonb_to_recordset($6::jsonb) AS d(
        role text, beneficiary_id text, status text, needs_slot boolean, kind text, amount_minor bigint, percent numeric,
        base_minor bigint, unit text, expires_at timestamptz, decision_reason text, referrer_cap int, content_hash text)
     WHERE NOT EXISTS (SELECT 1 FROM existing e WHERE e.role = d.role)
  ), inserted AS (
    INSERT INTO ledger_rewards
      (program_key, program_version, product, source_conversion_id, source_referral_id, referrer_id, referee_id, role,
       beneficiary_id, status, kind, amount_minor, percent, base_minor, unit, earned_at, expires_at, decision_reason,
       referrer_cap, content_hash, source_tier)
    SELECT $2, $7, $8, $1, $9, $3, $10, d.role, d.beneficiary_id, d.final_status,
           d.kind, d.amount_minor, d.percent, d.base_minor, d.unit, $11, d.expires_at,
           CASE WHEN d.final_status = d.status THEN d.decision_reason
                WHEN d.final_status = 'cap_limited' THEN $12
                ELSE 'the source payment had a ' || (SELECT kind FROM adverse) || ' notice before the grant' END,
           d.referrer_cap, d.content_hash, $17::text
      FROM decided d
    RETURNING *
  ), audit AS (
    INSERT INTO ledger_reward_events (reward_id, from_status, to_status, operation, actor, reason, external_ids)
    SELECT id, NULL, status, 'grant', $13, decision_reason,
           jsonb_build_object('conversion_id', source_conversion_id, 'referral_id', source_referral_id,
                              'program_version', program_version::text)
      FROM inserted
  ), granted_legs AS (
    SELECT l.* FROM jsonb_to_recordset($15::jsonb) AS l(${LEG_COLUMNS})
      JOIN inserted r ON r.role = l.ref AND r.status IN ('pending', 'earned')
  ), new_accounts AS (
    INSERT INTO ledger_accounts
      (kind, program_key, owner_id, unit, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
       debits_posted_minor, credits_posted_minor)
    SELECT w.kind, w.program_key, w.owner_id, w.unit, w.dnec, w.cned,
           CASE WHEN w.tracks THEN coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0) END,
           CASE WHEN w.tracks THEN coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0) END
      FROM jsonb_to_recordset($16::jsonb)
        AS w(kind text, program_key text, owner_id text, unit text, dnec boolean, cned boolean, tracks boolean)
      JOIN granted_legs l ON l.kind = w.kind AND l.program_key = w.program_key AND l.owner_id = w.owner_id AND l.unit = w.unit
     WHERE NOT EXISTS (
       SELECT 1 FROM ledger_accounts a
        WHERE a.kind = w.kind AND a.program_key = w.program_key AND a.owner_id = w.owner_id AND a.unit = w.unit)
     GROUP BY w.kind, w.program_key, w.owner_id, w.unit, w.dnec, w.cned, w.tracks
     ORDER BY w.kind, w.program_key, w.owner_id, w.unit
    ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING
    RETURNING id, kind, program_key, owner_id, unit
  ), accounts AS (
    SELECT id, kind, program_key, owner_id, unit FROM new_accounts
    UNION ALL
    SELECT a.id, a.kind, a.program_key, a.owner_id, a.unit
      FROM ledger_accounts a
     WHERE (a.kind, a.program_key, a.owner_id, a.unit) IN (SELECT kind, program_key, owner_id, unit FROM granted_legs)
  ), txs AS (
    INSERT INTO ledger_transactions (idempotency_key, content_hash, kind, unit, reward_id, reason, external_ids)
    SELECT 'reward:' || r.id || ':grant', p.content_hash, p.kind, p.unit, r.id, p.reason, p.external_ids
      FROM jsonb_to_recordset($14::jsonb) AS p(ref text, content_hash text, kind text, unit text, reason text, external_ids jsonb)
      JOIN inserted r ON r.role = p.ref
     WHERE r.status IN ('pending', 'earned')
       -- Only when every account of its legs can be joined (see the caller's restart).
       AND NOT EXISTS (
         SELECT 1 FROM granted_legs l
          WHERE l.ref = r.role
            AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.kind = l.kind AND a.program_key = l.program_key
                                                    AND a.owner_id = l.owner_id AND a.unit = l.unit))
    RETURNING id, reward_id
  ), new_txs AS (
    SELECT t.id, r.role AS ref FROM txs t JOIN inserted r ON r.id = t.reward_id
  ), ${entriesCtes('granted_legs', 'accounts')}
  SELECT 'existing' AS origin, e.*, (SELECT count(*) FROM entries) AS entry_count FROM existing e
  UNION ALL
  SELECT 'inserted' AS origin, i.*, (SELECT count(*) FROM entries) AS entry_count FROM inserted i`;

/**
 * The statement's parameters. Decisions the code can take alone are taken here (disqualified by
 * the rule, cap 0); the statement only adds what it learns under the locks (an adverse notice
 * first, no cap slot left).
 */
function grantParameters(g: ParsedGrant, planned: readonly { outcome: ParsedOutcome; hash: string }[]): unknown[] {
  let wantsSlot = false;
  const postings: object[] = [];
  const legs: object[] = [];
  const accounts: AccountKey[] = [];
  const rows = planned.map(({ outcome, hash }) => {
    const common = { role: outcome.role, beneficiary_id: beneficiaryOf(g, outcome.role), content_hash: hash, needs_slot: false };
    const cap = outcome.role === 'referrer' ? g.referrerCap : null;
    if (outcome.decision === 'disqualified') {
      return { ...common, status: 'disqualified', decision_reason: outcome.reason, referrer_cap: cap, ...amountFields(outcome) };
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
    accounts.push(...posting.legs.map((l) => l.account));
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
  return [
    g.conversionId, // $1
    g.programKey, // $2
    g.referrerId, // $3
    wantsSlot, // $4
    g.referrerCap, // $5
    JSON.stringify(rows), // $6
    g.programVersion, // $7
    g.product, // $8
    g.referralId, // $9
    g.refereeId, // $10
    g.earnedAt, // $11
    capReason(g.referrerCap ?? 0), // $12
    g.actor, // $13
    JSON.stringify(postings), // $14
    JSON.stringify(legs), // $15
    JSON.stringify(withPolicies(accounts)), // $16
    g.sourceTier, // $17
  ];
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
