import { countedChange, type ErasureCounts, queryRows, type UserErasureInput, userIdTokenPattern } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { erasePaymentInstrumentOwner } from './payment-instruments';

/**
 * Attribution's part of a user's erasure (issue 15), in the caller's transaction (which called
 * `allowErasureInTransaction`). What the user did and was is deleted: their touches (tracking
 * values, landing paths, metadata), signups, referrals as the referee, conversions with their
 * outcomes and verdicts, subscription payments and referral codes. Where the user is the REFERRER
 * of someone else's referral, that referral stays (the referee's rewards rest on it) with the
 * referrer replaced by the pseudonym and the code cleared. Payment-instrument claims and uses stay
 * without their user (the guard must still know the card was used). Eligibility marks (an operator's
 * who/why about a payment id) and the deleted-account digests hold nothing of the user and stay.
 */
export async function eraseUserAttribution(sequelize: Sequelize, transaction: Transaction, input: UserErasureInput): Promise<ErasureCounts> {
  const t = transaction;
  const change = (sql: string, bind: readonly unknown[]) => countedChange(sequelize, t, sql, bind);
  const uid = input.userId;

  // What hangs on the user's conversions and referrals (as the referee), collected once.
  const conversions = `SELECT id FROM attribution_conversions WHERE user_id = $1`;
  const referrals = `SELECT id FROM attribution_referrals WHERE referee_user_id = $1`;
  // Touches and conversions point at each other: clear the sale attribution first.
  await change(
    `UPDATE attribution_touches SET sale_attributed_conversion_id = NULL, sale_attributed_at = NULL
      WHERE sale_attributed_conversion_id IN (${conversions}) RETURNING 1`,
    [uid],
  );
  const outcomes = await change(
    `DELETE FROM attribution_conversion_outcomes WHERE conversion_id IN (${conversions}) OR referral_id IN (${referrals}) RETURNING 1`,
    [uid],
  );
  // The touches that won the user's conversions or referrals are the user's, owned or not yet associated.
  const wonTouches = await queryRows<{ id: string }>(
    sequelize,
    t,
    `SELECT winning_touch_id AS id FROM attribution_conversions WHERE user_id = $1 AND winning_touch_id IS NOT NULL
     UNION SELECT touch_id FROM attribution_referrals WHERE referee_user_id = $1`,
    [uid],
  );
  const deletedConversions = await change(`DELETE FROM attribution_conversions WHERE user_id = $1 RETURNING 1`, [uid]);
  const deletedReferrals = await change(`DELETE FROM attribution_referrals WHERE referee_user_id = $1 RETURNING 1`, [uid]);
  const pattern = userIdTokenPattern(uid);
  const anonymizedReferrals = await change(
    `UPDATE attribution_referrals
        SET referrer_user_id = $2, referral_code = NULL,
            selection = regexp_replace(selection::text, $3, '\\1' || $2, 'g')::jsonb
      WHERE referrer_user_id = $1 RETURNING 1`,
    [uid, input.pseudonym, pattern],
  );
  // The same browser's visits not associated with the user (another product's, later anonymous
  // ones) carry the same anonymous id: they are the user's too.
  const touches = await change(
    `DELETE FROM attribution_touches
      WHERE user_id = $1 OR id = ANY($2::bigint[])
         OR (user_id IS NULL AND anonymous_id IN (SELECT anonymous_id FROM attribution_touches WHERE user_id = $1 AND anonymous_id IS NOT NULL))
     RETURNING 1`,
    [uid, wonTouches.map((r) => r.id)],
  );
  const codes = await change(`DELETE FROM attribution_referral_codes WHERE user_id = $1 RETURNING 1`, [uid]);
  const signups = await change(`DELETE FROM attribution_signups WHERE user_id = $1 RETURNING 1`, [uid]);
  const payments = await change(`DELETE FROM attribution_subscription_payments WHERE user_id = $1 RETURNING 1`, [uid]);
  // Payment-instrument claims survive erasure (Kilo rules 182, 184): only the user reference goes.
  const instruments = await erasePaymentInstrumentOwner(sequelize, t, uid);

  return {
    attribution_touches: { deleted: touches, anonymized: 0 },
    attribution_signups: { deleted: signups, anonymized: 0 },
    attribution_referrals: { deleted: deletedReferrals, anonymized: anonymizedReferrals },
    attribution_referral_codes: { deleted: codes, anonymized: 0 },
    attribution_conversions: { deleted: deletedConversions, anonymized: 0 },
    attribution_conversion_outcomes: { deleted: outcomes, anonymized: 0 },
    attribution_subscription_payments: { deleted: payments, anonymized: 0 },
    payment_instrument_claims: { deleted: 0, anonymized: instruments.claims },
    payment_instrument_uses: { deleted: 0, anonymized: instruments.uses },
  };
}

export interface UserErasureAudit {
  readonly id: string;
  readonly requestedBy: string;
  readonly reason: string;
  readonly counts: ErasureCounts;
  readonly erasedAt: Date;
}

interface AuditRow {
  id: string;
  requested_by: string;
  reason: string;
  counts: ErasureCounts;
  erased_at: Date;
}
const auditOf = (r: AuditRow): UserErasureAudit => ({ id: String(r.id), requestedBy: r.requested_by, reason: r.reason, counts: r.counts, erasedAt: r.erased_at });

/** The audit of one erasure that changed something: who, why, when, counts; the subject is the pseudonym only. */
export async function recordUserErasure(
  sequelize: Sequelize,
  transaction: Transaction,
  entry: { pseudonym: string; requestedBy: string; reason: string; counts: ErasureCounts; now: Date },
): Promise<UserErasureAudit> {
  const [row] = await queryRows<AuditRow>(
    sequelize,
    transaction,
    `INSERT INTO attribution_user_erasures (subject, requested_by, reason, counts, erased_at) VALUES ($1, $2, $3, $4::jsonb, $5)
     RETURNING id, requested_by, reason, counts, erased_at`,
    [entry.pseudonym, entry.requestedBy, entry.reason, JSON.stringify(entry.counts), entry.now],
  );
  if (!row) throw new Error('the erasure audit row was not written');
  return auditOf(row);
}

/** Earlier erasures of the user (by pseudonym), oldest first. */
export async function listUserErasures(sequelize: Sequelize, transaction: Transaction | undefined, pseudonym: string): Promise<UserErasureAudit[]> {
  const rows = await queryRows<AuditRow>(
    sequelize,
    transaction,
    'SELECT id, requested_by, reason, counts, erased_at FROM attribution_user_erasures WHERE subject = $1 ORDER BY id',
    [pseudonym],
  );
  return rows.map(auditOf);
}

/**
 * Retention (issue 15 item 5): deletes, oldest first, at most `limit` touches captured before
 * `olderThan` that never attributed anything (no referral was created from them, no conversion
 * was won by them, no SALE was attributed to them). Their tracking values, landing paths and
 * metadata go with them. Answers how many were deleted and whether more are due.
 */
export async function deleteUnattributedTouches(sequelize: Sequelize, input: { olderThan: Date; limit: number }): Promise<{ deleted: number; hasMore: boolean }> {
  const rows = await queryRows<{ deleted: number; due: boolean }>(
    sequelize,
    undefined,
    `WITH stale AS (
       SELECT t.id FROM attribution_touches t
        WHERE t.touched_at < $1 AND t.sale_attributed_conversion_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM attribution_referrals r WHERE r.touch_id = t.id)
          AND NOT EXISTS (SELECT 1 FROM attribution_conversions c WHERE c.winning_touch_id = t.id)
        ORDER BY t.touched_at, t.id
        LIMIT $2 + 1
     ), gone AS (
       DELETE FROM attribution_touches WHERE id IN (SELECT id FROM stale ORDER BY id LIMIT $2) RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT count(*) FROM stale) > $2 AS due`,
    [input.olderThan, input.limit],
  );
  return { deleted: rows[0]?.deleted ?? 0, hasMore: rows[0]?.due ?? false };
}
