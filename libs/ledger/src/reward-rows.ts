import { type Sequelize, type Transaction } from 'sequelize';
import { accountPolicies, type AccountKey, type SystemAccountKind } from './accounts';
import { LedgerError } from './ledger.errors';
import { nullableSafeInteger, queryRows } from './ledger-sql';
import { postTransactions, rewardPostingKey, type Posting } from './post-transactions';
import {
  assertRewardTransition,
  cappedStates,
  restingAccountOf,
  type RewardOperation,
  type RewardState,
  type RewardStatus,
} from './reward-states';

export type RewardRole = 'referrer' | 'referee';
export const rewardKinds = ['fixed', 'percent', 'free_period', 'credits'] as const;
export type RewardKind = (typeof rewardKinds)[number];

/** A reward (or a recorded decision that granted nothing), as operations return it. */
export interface Reward {
  id: string;
  programKey: string;
  programVersion: number;
  product: string;
  sourceConversionId: string;
  sourceReferralId: string;
  referrerId: string;
  refereeId: string;
  role: RewardRole;
  beneficiaryId: string;
  status: RewardStatus;
  /** Null only for `disqualified` decisions (nothing was computed). */
  kind: RewardKind | null;
  amountMinor: number | null;
  /** Exact decimal text (`"50"`, `"12.5"`) for percent rewards, with the base it applied to. */
  percent: string | null;
  baseMinor: number | null;
  /** Currency (`USD`, amounts in cents) or unit (`day`, `credit`). */
  unit: string | null;
  /** The source conversion's tier the amount was computed from (`tier_49`); null when none was given. */
  sourceTier: string | null;
  earnedAt: Date;
  expiresAt: Date | null;
  /** Why it was granted (the rule), or why nothing was (cap reached, disqualification). */
  decisionReason: string;
  referrerCap: number | null;
  consumedByIssuanceId: string | null;
  appliedAt: Date | null;
  createdAt: Date;
  statusChangedAt: Date;
}

export interface RewardRow {
  id: string;
  program_key: string;
  program_version: number;
  product: string;
  source_conversion_id: string;
  source_referral_id: string;
  referrer_id: string;
  referee_id: string;
  role: RewardRole;
  beneficiary_id: string;
  status: RewardStatus;
  kind: RewardKind | null;
  amount_minor: string | null;
  percent: string | null;
  base_minor: string | null;
  unit: string | null;
  /** Added by a later migration: absent from rows of statements that name their columns. */
  source_tier?: string | null;
  earned_at: Date;
  expires_at: Date | null;
  decision_reason: string;
  referrer_cap: number | null;
  content_hash: string;
  consumed_by_issuance_id: string | null;
  applied_at: Date | null;
  created_at: Date;
  status_changed_at: Date;
}

/** `50.000000` -> `50`, `12.500000` -> `12.5`: the numeric column back as the decimal text given. */
function trimDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

export function toReward(row: RewardRow): Reward {
  return {
    id: String(row.id),
    programKey: row.program_key,
    programVersion: row.program_version,
    product: row.product,
    sourceConversionId: row.source_conversion_id,
    sourceReferralId: row.source_referral_id,
    referrerId: row.referrer_id,
    refereeId: row.referee_id,
    role: row.role,
    beneficiaryId: row.beneficiary_id,
    status: row.status,
    kind: row.kind,
    amountMinor: nullableSafeInteger(row.amount_minor, 'reward amount'),
    percent: row.percent === null ? null : trimDecimal(String(row.percent)),
    baseMinor: nullableSafeInteger(row.base_minor, 'reward base'),
    unit: row.unit,
    sourceTier: row.source_tier ?? null,
    earnedAt: row.earned_at,
    expiresAt: row.expires_at,
    decisionReason: row.decision_reason,
    referrerCap: row.referrer_cap,
    consumedByIssuanceId: row.consumed_by_issuance_id,
    appliedAt: row.applied_at,
    createdAt: row.created_at,
    statusChangedAt: row.status_changed_at,
  };
}

export async function findReward(sequelize: Sequelize, t: Transaction | undefined, rewardId: string): Promise<RewardRow> {
  if (!/^[1-9]\d{0,18}$/.test(rewardId)) throw new LedgerError('reward_not_found', `no reward ${rewardId}`, { details: { rewardId } });
  const [row] = await queryRows<RewardRow>(sequelize, t, 'SELECT * FROM ledger_rewards WHERE id = $1', [rewardId]);
  if (!row) throw new LedgerError('reward_not_found', `no reward ${rewardId}`, { details: { rewardId } });
  return row;
}

/** Which rewards a transition applies to; each kind is one indexed query. */
export type RewardSelection =
  | { by: 'ids'; ids: readonly string[] }
  | { by: 'source_conversion'; conversionId: string }
  | { by: 'program'; programKey: string }
  | { by: 'due'; now: Date; limit: number };

export interface TransitionRequest {
  selection: RewardSelection;
  /** Only rows currently in one of these states move; the others are left as they are. */
  from: readonly RewardState[];
  to: RewardState;
  operation: RewardOperation;
  actor: string;
  reason: string;
  externalIds: Readonly<Record<string, string>>;
  /** Set when the transition consumes the reward (application to an issuance). */
  consumption?: { issuanceId: string; appliedAt: Date };
}

export interface TransitionedReward {
  row: RewardRow;
  from: RewardState;
}

/**
 * Moves every selected reward that is in one of `from` to `to`, in one transaction:
 * 1. one statement locks the rows (in id order, so concurrent movers cannot deadlock), updates
 *    them, appends their audit rows, and creates the destination system account if needed;
 *    rows whose status changed while we waited for the lock are re-checked and skipped, which
 *    is what makes expiry, application and adverse payments safe to race;
 * 2. rewards leaving a capped state give their referrer's slot back;
 * 3. one statement posts the money moves (old resting account -> new resting account).
 * Cap rows are locked before beneficiary accounts, in the same order grants lock them, so a grant
 * and a cancellation for the same referrer cannot deadlock.
 * `due` selections skip rows locked by someone else (SKIP LOCKED): a reward being applied right
 * now is not waited for; if that application rolls back, the next expiry run takes it.
 */
export async function transitionRewards(
  sequelize: Sequelize,
  t: Transaction,
  request: TransitionRequest,
): Promise<TransitionedReward[]> {
  for (const from of request.from) assertRewardTransition(from, request.to);
  const destination = restingAccountOf[request.to];
  const movesMoney = request.from.some((from) => restingAccountOf[from] !== destination);
  const systemAccount: SystemAccountKind | null = destination === 'beneficiary' ? null : destination;
  const policy = systemAccount ? accountPolicies[systemAccount] : null;

  const { where, bind } = selectionSql(request.selection);
  const base = bind.length;
  const rows = await queryRows<RewardRow & { from_status: RewardState }>(
    sequelize,
    t,
    `WITH old AS (
       SELECT id, status AS from_status FROM ledger_rewards
        WHERE ${where} AND status = ANY($${base + 1}::text[])
        ORDER BY ${request.selection.by === 'due' ? 'expires_at, id' : 'id'}
        ${request.selection.by === 'due' ? `LIMIT $${base + 10}` : ''}
        FOR UPDATE ${request.selection.by === 'due' ? 'SKIP LOCKED' : ''}
     ), moved AS (
       UPDATE ledger_rewards r
          SET status = $${base + 2}, status_changed_at = now(),
              consumed_by_issuance_id = coalesce($${base + 7}::text, r.consumed_by_issuance_id),
              applied_at = coalesce($${base + 8}::timestamptz, r.applied_at)
         FROM old WHERE r.id = old.id
       RETURNING r.*, old.from_status
     ), audit AS (
       INSERT INTO ledger_reward_events (reward_id, from_status, to_status, operation, actor, reason, external_ids)
       SELECT id, from_status, status, $${base + 3}, $${base + 4}, $${base + 5},
              jsonb_build_object('conversion_id', source_conversion_id, 'referral_id', source_referral_id) || $${base + 6}::jsonb
         FROM moved
     ), accounts AS (
       INSERT INTO ledger_accounts
         (kind, program_key, owner_id, unit, debits_must_not_exceed_credits, credits_must_not_exceed_debits)
       SELECT DISTINCT $${base + 9}::text, program_key, '', unit, ${policy?.debitsMustNotExceedCredits ?? false}, ${policy?.creditsMustNotExceedDebits ?? false}
         FROM moved WHERE $${base + 9}::text IS NOT NULL AND unit IS NOT NULL
       ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING
     )
     SELECT * FROM moved ORDER BY id`,
    [
      ...bind,
      request.from,
      request.to,
      request.operation,
      request.actor,
      request.reason,
      JSON.stringify(request.externalIds),
      request.consumption?.issuanceId ?? null,
      request.consumption?.appliedAt ?? null,
      movesMoney ? systemAccount : null,
      ...(request.selection.by === 'due' ? [request.selection.limit] : []),
    ],
  );
  const moved = rows.map(({ from_status, ...row }) => ({ row: row as RewardRow, from: from_status }));
  if (moved.length === 0) return moved;

  const slotsGivenBack = moved.filter(
    ({ row, from }) => row.role === 'referrer' && cappedStates.includes(from) && !cappedStates.includes(request.to),
  );
  if (slotsGivenBack.length > 0) {
    await queryRows(
      sequelize,
      t,
      `UPDATE ledger_referrer_caps c SET granted_count = c.granted_count - g.n
         FROM (SELECT program_key, referrer_id, count(*)::int AS n
                 FROM jsonb_to_recordset($1::jsonb) AS x(program_key text, referrer_id text)
                GROUP BY program_key, referrer_id ORDER BY program_key, referrer_id) g
        WHERE c.program_key = g.program_key AND c.referrer_id = g.referrer_id
       RETURNING c.granted_count`,
      [JSON.stringify(slotsGivenBack.map(({ row }) => ({ program_key: row.program_key, referrer_id: row.referrer_id })))],
    );
  }
  const postings = moved.flatMap(({ row, from }) => {
    const posting = movePosting(row, from, request.to, request.reason, request.externalIds);
    return posting ? [posting] : [];
  });
  await postTransactions(sequelize, t, postings);

  return moved;
}

function selectionSql(selection: RewardSelection): { where: string; bind: unknown[] } {
  switch (selection.by) {
    case 'ids':
      return { where: 'id = ANY($1::bigint[])', bind: [selection.ids] };
    case 'source_conversion':
      return { where: 'source_conversion_id = $1', bind: [selection.conversionId] };
    case 'program':
      return { where: 'program_key = $1', bind: [selection.programKey] };
    case 'due':
      // Spelled out so that the partial expiry index (pending rows with an expiry) is used.
      return { where: "status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $1", bind: [selection.now] };
  }
}

function accountKey(kind: AccountKey['kind'], row: RewardRow): AccountKey {
  if (row.unit === null) throw new LedgerError('ledger_invariant_broken', `reward ${row.id} has no unit`);
  return { kind, program_key: row.program_key, owner_id: kind === 'beneficiary' ? row.beneficiary_id : '', unit: row.unit };
}

/** The posting that moves a reward's amount between resting accounts, or null when it stays put. */
export function movePosting(
  row: RewardRow,
  from: RewardState,
  to: RewardState,
  reason: string,
  externalIds: Readonly<Record<string, string>>,
): Posting | null {
  const source = restingAccountOf[from];
  const destination = restingAccountOf[to];
  if (source === destination) return null;
  const amount = nullableSafeInteger(row.amount_minor, 'reward amount');
  if (amount === null || row.unit === null) {
    throw new LedgerError('ledger_invariant_broken', `reward ${row.id} in ${to} has no amount to book`);
  }
  return {
    // One move per (reward, from, to): a retried operation can never book the same move twice.
    idempotencyKey: rewardPostingKey(String(row.id), `${from}->${to}`),
    kind: `reward_${to}`,
    unit: row.unit,
    rewardId: String(row.id),
    reason,
    externalIds,
    legs: [
      { account: accountKey(source, row), side: 'debit', amountMinor: amount },
      { account: accountKey(destination, row), side: 'credit', amountMinor: amount },
    ],
  };
}

/** The audit rows of one reward, oldest first. */
export interface RewardEvent {
  id: string;
  rewardId: string;
  fromStatus: RewardStatus | null;
  toStatus: RewardStatus;
  operation: RewardOperation;
  actor: string;
  reason: string;
  externalIds: Record<string, string>;
  occurredAt: Date;
}

export interface RewardEventRow {
  id: string;
  reward_id: string;
  from_status: RewardStatus | null;
  to_status: RewardStatus;
  operation: RewardOperation;
  actor: string;
  reason: string;
  external_ids: Record<string, string>;
  occurred_at: Date;
}

export function toRewardEvent(row: RewardEventRow): RewardEvent {
  return {
    id: String(row.id),
    rewardId: String(row.reward_id),
    fromStatus: row.from_status,
    toStatus: row.to_status,
    operation: row.operation,
    actor: row.actor,
    reason: row.reason,
    externalIds: row.external_ids,
    occurredAt: row.occurred_at,
  };
}

export async function lastRewardEvent(
  sequelize: Sequelize,
  t: Transaction | undefined,
  rewardId: string,
): Promise<RewardEventRow | undefined> {
  const [row] = await queryRows<RewardEventRow>(
    sequelize,
    t,
    'SELECT * FROM ledger_reward_events WHERE reward_id = $1 ORDER BY id DESC LIMIT 1',
    [rewardId],
  );
  return row;
}
