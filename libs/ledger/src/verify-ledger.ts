import { type Sequelize, Transaction } from 'sequelize';
import { queryRows } from './ledger-sql';
import { cappedStates, restingAccountOf } from './reward-states';

export type LedgerViolationCode =
  /** A transaction whose entries do not balance, or with fewer than two entries. */
  | 'transaction_unbalanced'
  /** An entry names a missing account, or one of another unit than the entry or its transaction. */
  | 'entry_account_mismatch'
  /** An account's stored posted totals differ from the sums of its entries. */
  | 'account_totals_disagree_with_entries'
  /** An account's balance, recomputed from entries, breaks its debit or credit floor. */
  | 'account_below_floor'
  /** A reward's bookings do not leave its amount where its state says it rests (or an outcome has bookings). */
  | 'reward_bookings_disagree_with_state'
  /** A reward's audit trail does not start at its creation, skips a step, or does not end at its state. */
  | 'reward_audit_disagrees_with_state'
  /** A referrer cap counter differs from the number of the referrer's rewards in capped states. */
  | 'referrer_cap_count_mismatch'
  /** More of a referrer's rewards hold capped slots than the cap they were granted under allowed. */
  | 'referrer_cap_exceeded'
  /** A consumed reward and its issuance disagree (no item, other beneficiary, earned after issuance, applied after expiry). */
  | 'reward_consumption_disagrees_with_issuance'
  /** A payment's adverse notice acted, yet a reward from that payment is still pending or earned. */
  | 'adverse_payment_left_reward_open'
  /** The conversion row and the notices disagree on which adverse notice acted for a payment. */
  | 'adverse_notice_disagrees_with_conversion';

export interface LedgerViolation {
  code: LedgerViolationCode;
  message: string;
  details: Record<string, unknown>;
}

/** Each check reports at most this many rows: enough to diagnose, never a flood. */
const LIMIT = 100;

/**
 * Recomputes the books from their entries and checks every invariant the ledger promises,
 * returning the violations found (an empty list means the ledger is sound). It reads one
 * REPEATABLE READ snapshot, so it can run while the ledger is being written without reporting
 * half-finished states. It never writes.
 */
export async function verifyLedger(sequelize: Sequelize): Promise<LedgerViolation[]> {
  return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => {
    const checks = [
      unbalancedTransactions,
      entryAccounts,
      accountTotalsAndFloors,
      rewardBookings,
      rewardAudit,
      referrerCaps,
      consumption,
      adverseLeftOpen,
    ];
    const violations: LedgerViolation[] = [];
    for (const check of checks) violations.push(...(await check(sequelize, t)));
    return violations;
  });
}

type Check = (sequelize: Sequelize, t: Transaction) => Promise<LedgerViolation[]>;

const unbalancedTransactions: Check = async (sequelize, t) => {
  const rows = await queryRows<{ id: string; idempotency_key: string; debits: string; credits: string; entries: string }>(
    sequelize,
    t,
    `SELECT tx.id, tx.idempotency_key,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'debit'), 0) AS debits,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'credit'), 0) AS credits,
            count(e.line) AS entries
       FROM ledger_transactions tx LEFT JOIN ledger_entries e ON e.transaction_id = tx.id
      GROUP BY tx.id
     HAVING count(e.line) < 2
         OR coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'debit'), 0)
            <> coalesce(sum(e.amount_minor) FILTER (WHERE e.side = 'credit'), 0)
      ORDER BY tx.id LIMIT ${LIMIT}`,
  );
  return rows.map((r) => ({
    code: 'transaction_unbalanced',
    message: `transaction ${r.id} (${r.idempotency_key}): ${r.entries} entries, debits ${r.debits}, credits ${r.credits}`,
    details: { transactionId: String(r.id), idempotencyKey: r.idempotency_key, debitsMinor: r.debits, creditsMinor: r.credits, entries: Number(r.entries) },
  }));
};

const entryAccounts: Check = async (sequelize, t) => {
  const rows = await queryRows<{ transaction_id: string; line: number; account_id: string; unit: string; account_unit: string | null; tx_unit: string }>(
    sequelize,
    t,
    `SELECT e.transaction_id, e.line, e.account_id, e.unit, a.unit AS account_unit, tx.unit AS tx_unit
       FROM ledger_entries e
       JOIN ledger_transactions tx ON tx.id = e.transaction_id
       LEFT JOIN ledger_accounts a ON a.id = e.account_id
      WHERE a.id IS NULL OR a.unit <> e.unit OR tx.unit <> e.unit
      ORDER BY 1, 2 LIMIT ${LIMIT}`,
  );
  return rows.map((r) => ({
    code: 'entry_account_mismatch',
    message: `entry ${r.transaction_id}/${r.line} in ${r.unit}: account ${r.account_id} ${r.account_unit === null ? 'missing' : `in ${r.account_unit}`}, transaction in ${r.tx_unit}`,
    details: { transactionId: String(r.transaction_id), line: r.line, accountId: String(r.account_id), unit: r.unit, accountUnit: r.account_unit, transactionUnit: r.tx_unit },
  }));
};

const accountTotalsAndFloors: Check = async (sequelize, t) => {
  const rows = await queryRows<{
    id: string;
    kind: string;
    program_key: string;
    owner_id: string;
    unit: string;
    debits_posted_minor: string | null;
    credits_posted_minor: string | null;
    debits: string;
    credits: string;
    totals_wrong: boolean;
    below_floor: boolean;
  }>(
    sequelize,
    t,
    `WITH sums AS (
       SELECT account_id,
              sum(amount_minor) FILTER (WHERE side = 'debit') AS debits,
              sum(amount_minor) FILTER (WHERE side = 'credit') AS credits
         FROM ledger_entries GROUP BY account_id
     ), recomputed AS (
       SELECT a.*, coalesce(s.debits, 0) AS debits, coalesce(s.credits, 0) AS credits
         FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
     )
     SELECT *,
            (debits_posted_minor IS NOT NULL AND (debits_posted_minor <> debits OR credits_posted_minor <> credits)) AS totals_wrong,
            ((debits_must_not_exceed_credits AND debits > credits) OR (credits_must_not_exceed_debits AND credits > debits)) AS below_floor
       FROM recomputed
      WHERE (debits_posted_minor IS NOT NULL AND (debits_posted_minor <> debits OR credits_posted_minor <> credits))
         OR (debits_must_not_exceed_credits AND debits > credits)
         OR (credits_must_not_exceed_debits AND credits > debits)
      ORDER BY id LIMIT ${LIMIT}`,
  );
  return rows.flatMap((r) => {
    const name = `${r.kind}${r.owner_id ? `:${r.owner_id}` : ''}@${r.program_key}/${r.unit}`;
    const details = {
      accountId: String(r.id),
      account: name,
      debitsMinor: r.debits,
      creditsMinor: r.credits,
      debitsPostedMinor: r.debits_posted_minor,
      creditsPostedMinor: r.credits_posted_minor,
    };
    const found: LedgerViolation[] = [];
    if (r.totals_wrong) {
      found.push({
        code: 'account_totals_disagree_with_entries',
        message: `account ${name}: stored totals ${r.debits_posted_minor}/${r.credits_posted_minor}, entries ${r.debits}/${r.credits}`,
        details,
      });
    }
    if (r.below_floor) {
      found.push({ code: 'account_below_floor', message: `account ${name}: debits ${r.debits}, credits ${r.credits}`, details });
    }
    return found;
  });
};

const rewardBookings: Check = async (sequelize, t) => {
  const rows = await queryRows<{
    reward_id: string;
    status: string;
    account: string;
    expected: string;
    actual: string;
  }>(
    sequelize,
    t,
    `WITH actual AS (
       SELECT tx.reward_id, a.kind, a.program_key, a.owner_id, a.unit,
              sum(CASE WHEN e.side = 'credit' THEN e.amount_minor ELSE -e.amount_minor END) AS net_credit
         FROM ledger_transactions tx
         JOIN ledger_entries e ON e.transaction_id = tx.id
         JOIN ledger_accounts a ON a.id = e.account_id
        WHERE tx.reward_id IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5
     ), resting AS (
       SELECT key AS status, value AS kind FROM jsonb_each_text($1::jsonb)
     ), expected AS (
       -- A granted reward's amount left the program's liability account and rests in exactly one
       -- account, chosen by its state; every other account nets to zero.
       SELECT r.id AS reward_id, x.kind, r.program_key,
              CASE WHEN x.kind = 'beneficiary' THEN r.beneficiary_id ELSE '' END AS owner_id, r.unit, x.net_credit
         FROM ledger_rewards r
         JOIN resting rs ON rs.status = r.status
         CROSS JOIN LATERAL (VALUES ('program_liability', -r.amount_minor::numeric), (rs.kind, r.amount_minor::numeric)) AS x(kind, net_credit)
     )
     SELECT coalesce(x.reward_id, ac.reward_id) AS reward_id, r.status,
            coalesce(x.kind, ac.kind) || coalesce(nullif(':' || coalesce(x.owner_id, ac.owner_id), ':'), '') || '@' ||
              coalesce(x.program_key, ac.program_key) || '/' || coalesce(x.unit, ac.unit) AS account,
            coalesce(x.net_credit, 0) AS expected, coalesce(ac.net_credit, 0) AS actual
       FROM expected x
       FULL JOIN actual ac
         ON ac.reward_id = x.reward_id AND ac.kind = x.kind AND ac.program_key = x.program_key
        AND ac.owner_id = x.owner_id AND ac.unit = x.unit
       JOIN ledger_rewards r ON r.id = coalesce(x.reward_id, ac.reward_id)
      WHERE coalesce(x.net_credit, 0) <> coalesce(ac.net_credit, 0)
      ORDER BY 1, 3 LIMIT ${LIMIT}`,
    [JSON.stringify(restingAccountOf)],
  );
  return rows.map((r) => ({
    code: 'reward_bookings_disagree_with_state',
    message: `reward ${r.reward_id} (${r.status}): account ${r.account} nets ${r.actual}, expected ${r.expected}`,
    details: { rewardId: String(r.reward_id), status: r.status, account: r.account, expectedNetCreditMinor: r.expected, actualNetCreditMinor: r.actual },
  }));
};

const rewardAudit: Check = async (sequelize, t) => {
  const rows = await queryRows<{ reward_id: string; status: string; problem: string }>(
    sequelize,
    t,
    `WITH ev AS (
       SELECT e.*, lag(e.to_status) OVER w AS previous_to, row_number() OVER w AS n,
              count(*) OVER (PARTITION BY e.reward_id) AS total
         FROM ledger_reward_events e
       WINDOW w AS (PARTITION BY e.reward_id ORDER BY e.id)
     )
     SELECT r.id AS reward_id, r.status,
            CASE
              WHEN ev.id IS NULL THEN 'no audit rows'
              WHEN ev.n = 1 AND (ev.from_status IS NOT NULL OR ev.operation <> 'grant') THEN 'first audit row is not its creation'
              WHEN ev.n > 1 AND ev.from_status IS DISTINCT FROM ev.previous_to
                THEN 'audit row ' || ev.id || ' starts from ' || coalesce(ev.from_status, 'nothing') || ' but the previous ended at ' || ev.previous_to
              WHEN ev.n > 1 AND NOT ledger_reward_transition_allowed(ev.from_status, ev.to_status)
                THEN 'audit row ' || ev.id || ' records an illegal move ' || ev.from_status || ' -> ' || ev.to_status
              ELSE 'audit ends at ' || ev.to_status || ' but the reward is ' || r.status
            END AS problem
       FROM ledger_rewards r
       LEFT JOIN ev ON ev.reward_id = r.id
      WHERE ev.id IS NULL
         OR (ev.n = 1 AND (ev.from_status IS NOT NULL OR ev.operation <> 'grant'))
         OR (ev.n > 1 AND (ev.from_status IS DISTINCT FROM ev.previous_to OR NOT ledger_reward_transition_allowed(ev.from_status, ev.to_status)))
         OR (ev.n = ev.total AND ev.to_status <> r.status)
      ORDER BY r.id LIMIT ${LIMIT}`,
  );
  return rows.map((r) => ({
    code: 'reward_audit_disagrees_with_state',
    message: `reward ${r.reward_id} (${r.status}): ${r.problem}`,
    details: { rewardId: String(r.reward_id), status: r.status, problem: r.problem },
  }));
};

const referrerCaps: Check = async (sequelize, t) => {
  const counts = await queryRows<{ program_key: string; referrer_id: string; counter: number | null; held: string | null }>(
    sequelize,
    t,
    `WITH held AS (
       SELECT program_key, referrer_id, count(*) AS held FROM ledger_rewards
        WHERE role = 'referrer' AND status = ANY($1::text[]) GROUP BY 1, 2
     )
     SELECT coalesce(c.program_key, h.program_key) AS program_key, coalesce(c.referrer_id, h.referrer_id) AS referrer_id,
            c.granted_count AS counter, h.held
       FROM ledger_referrer_caps c FULL JOIN held h ON h.program_key = c.program_key AND h.referrer_id = c.referrer_id
      WHERE coalesce(c.granted_count, 0) <> coalesce(h.held, 0)
      ORDER BY 1, 2 LIMIT ${LIMIT}`,
    [cappedStates],
  );
  // At its grant, a reward's rank among its referrer's capped rewards was at most its cap; slots
  // only free up afterwards (canceled and reversed are final), so its rank now can only be lower.
  const exceeded = await queryRows<{ id: string; program_key: string; referrer_id: string; referrer_cap: number; rank: string }>(
    sequelize,
    t,
    `SELECT id, program_key, referrer_id, referrer_cap, rank FROM (
       SELECT r.*, row_number() OVER (PARTITION BY program_key, referrer_id ORDER BY id) AS rank
         FROM ledger_rewards r WHERE role = 'referrer' AND status = ANY($1::text[])
     ) ranked
     WHERE referrer_cap IS NOT NULL AND rank > referrer_cap
     ORDER BY id LIMIT ${LIMIT}`,
    [cappedStates],
  );
  return [
    ...counts.map((r) => ({
      code: 'referrer_cap_count_mismatch' as const,
      message: `referrer ${r.referrer_id} in ${r.program_key}: counter ${r.counter ?? 'missing'}, capped rewards ${r.held ?? 0}`,
      details: { programKey: r.program_key, referrerId: r.referrer_id, counter: r.counter, held: Number(r.held ?? 0) },
    })),
    ...exceeded.map((r) => ({
      code: 'referrer_cap_exceeded' as const,
      message: `reward ${r.id}: slot ${r.rank} of referrer ${r.referrer_id} in ${r.program_key} exceeds its cap ${r.referrer_cap}`,
      details: { rewardId: String(r.id), programKey: r.program_key, referrerId: r.referrer_id, cap: r.referrer_cap, rank: Number(r.rank) },
    })),
  ];
};

const consumption: Check = async (sequelize, t) => {
  const rows = await queryRows<{ reward_id: string; issuance_id: string | null; problem: string }>(
    sequelize,
    t,
    `SELECT r.id AS reward_id, r.consumed_by_issuance_id AS issuance_id,
            CASE
              WHEN i.id IS NULL THEN 'no referral_bonus item on the issuance'
              WHEN s.issuance_id IS NULL THEN 'issuance not recorded'
              WHEN s.beneficiary_id <> r.beneficiary_id OR s.product <> r.product THEN 'issuance belongs to another beneficiary or product'
              WHEN r.earned_at > s.issued_at THEN 'earned after the issuance was created'
              ELSE 'applied at or after its expiry'
            END AS problem
       FROM ledger_rewards r
       LEFT JOIN ledger_issuance_items i ON i.reward_id = r.id AND i.issuance_id = r.consumed_by_issuance_id AND i.item_kind = 'referral_bonus'
       LEFT JOIN ledger_issuances s ON s.issuance_id = r.consumed_by_issuance_id
      WHERE r.consumed_by_issuance_id IS NOT NULL AND r.kind IS DISTINCT FROM 'free_period'
        AND (i.id IS NULL OR s.issuance_id IS NULL OR s.beneficiary_id <> r.beneficiary_id OR s.product <> r.product
             OR r.earned_at > s.issued_at OR (r.expires_at IS NOT NULL AND r.applied_at >= r.expires_at))
     UNION ALL
     -- A free period is consumed by a renewal boundary (apply-free-period.ts), not by an issuance.
     SELECT r.id, r.consumed_by_issuance_id,
            CASE
              WHEN r.consumed_by_issuance_id NOT LIKE 'renewal:%' THEN 'free period not consumed by a renewal'
              WHEN r.earned_at > r.applied_at THEN 'applied before it was earned'
              ELSE 'applied at or after its expiry'
            END
       FROM ledger_rewards r
      WHERE r.kind = 'free_period' AND r.consumed_by_issuance_id IS NOT NULL
        AND (r.consumed_by_issuance_id NOT LIKE 'renewal:%' OR r.earned_at > r.applied_at OR (r.expires_at IS NOT NULL AND r.applied_at >= r.expires_at))
     UNION ALL
     SELECT r.id, i.issuance_id, 'referral_bonus item on issuance ' || i.issuance_id || ' but the reward names ' ||
            coalesce(r.consumed_by_issuance_id, 'no issuance')
       FROM ledger_issuance_items i JOIN ledger_rewards r ON r.id = i.reward_id
      WHERE r.consumed_by_issuance_id IS DISTINCT FROM i.issuance_id
      ORDER BY 1 LIMIT ${LIMIT}`,
  );
  return rows.map((r) => ({
    code: 'reward_consumption_disagrees_with_issuance',
    message: `reward ${r.reward_id} on issuance ${r.issuance_id ?? '-'}: ${r.problem}`,
    details: { rewardId: String(r.reward_id), issuanceId: r.issuance_id, problem: r.problem },
  }));
};

const adverseLeftOpen: Check = async (sequelize, t) => {
  const rows = await queryRows<{ reward_id: string; status: string; payment_id: string; notice_id: string }>(
    sequelize,
    t,
    `SELECT r.id AS reward_id, r.status, n.payment_id, n.notice_id
       FROM ledger_adverse_notices n
       JOIN ledger_rewards r ON r.source_conversion_id = n.payment_id
      WHERE n.first_for_payment AND r.status IN ('pending', 'earned')
      ORDER BY r.id LIMIT ${LIMIT}`,
  );
  const mismatched = await queryRows<{ payment_id: string; notice_id: string | null; recorded: string | null }>(
    sequelize,
    t,
    `SELECT coalesce(n.payment_id, c.conversion_id) AS payment_id, n.notice_id, c.adverse_notice_id AS recorded
       FROM (SELECT * FROM ledger_adverse_notices WHERE first_for_payment) n
       FULL JOIN (SELECT * FROM ledger_conversions WHERE adverse_notice_id IS NOT NULL) c ON c.conversion_id = n.payment_id
      WHERE n.notice_id IS DISTINCT FROM c.adverse_notice_id OR n.kind IS DISTINCT FROM c.adverse_kind
      ORDER BY 1 LIMIT ${LIMIT}`,
  );
  return [
    ...mismatched.map((r) => ({
      code: 'adverse_notice_disagrees_with_conversion' as const,
      message: `payment ${r.payment_id}: acting notice ${r.notice_id ?? 'none'}, conversion records ${r.recorded ?? 'none'}`,
      details: { paymentId: r.payment_id, noticeId: r.notice_id, recordedNoticeId: r.recorded },
    })),
    ...rows.map((r) => ({
    code: 'adverse_payment_left_reward_open' as const,
    message: `reward ${r.reward_id} is ${r.status} although payment ${r.payment_id} had adverse notice ${r.notice_id}`,
    details: { rewardId: String(r.reward_id), status: r.status, paymentId: r.payment_id, noticeId: r.notice_id },
    })),
  ];
};
