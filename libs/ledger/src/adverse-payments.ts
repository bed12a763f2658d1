import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { lockConversion } from './conversion-lock';
import { LedgerError } from './ledger.errors';
import { actorSchema, conversionKeyText, externalId, parseInput, reasonSchema, validDate } from './ledger.schemas';
import { contentHash, inLedgerTransaction, type JoinTransaction, queryRows } from './ledger-sql';
import { transitionRewards } from './reward-rows';
import { type RewardState } from './reward-states';

export const adversePaymentKinds = ['refund', 'chargeback', 'fraud_mark', 'early_fraud_warning_refund'] as const;
export type AdversePaymentKind = (typeof adversePaymentKinds)[number];

const adverseSchema = z.object({
  /** The billing system's id of this notice (its idempotency key). */
  noticeId: externalId,
  /** The payment the notice is about: the source conversion id of the rewards it affects. */
  paymentId: conversionKeyText,
  kind: z.enum(adversePaymentKinds),
  occurredAt: validDate,
  actor: actorSchema,
  reason: reasonSchema.optional(),
});

export type AdversePaymentInput = z.input<typeof adverseSchema>;

export interface AdverseChange {
  rewardId: string;
  from: RewardState;
  to: RewardState;
}

export interface AdversePaymentResult {
  noticeId: string;
  paymentId: string;
  kind: AdversePaymentKind;
  /**
   * `acted`: the first adverse notice for the payment; `changes` lists what it did (maybe
   * nothing, when no reward came from the payment yet: a later grant is then disqualified).
   * `already_handled`: an earlier notice for the payment acted; this one is recorded only.
   */
  effect: 'acted' | 'already_handled';
  changes: AdverseChange[];
  /** True when this notice id had been recorded before with the same content. */
  replayed: boolean;
}

interface NoticeRow {
  notice_id: string;
  payment_id: string;
  kind: AdversePaymentKind;
  content_hash: string;
  first_for_payment: boolean;
  changes: AdverseChange[];
}

/**
 * Records an adverse notice (refund, chargeback, fraud mark, enforced early-fraud-warning refund)
 * about a payment and, if it is the payment's first, acts on the rewards granted from it:
 * `pending` and `earned` rewards are canceled (their amount booked to the reversed account and the
 * referrer's cap slot given back); `applied` ones move to `review_required` for an operator.
 * Every later notice for the payment, whatever its kind or order, changes nothing more. The same
 * notice id again is a replay; with other content, `exists_with_different_content`.
 *
 * It takes the same conversion lock as grantRewards, so a grant racing the notice either
 * committed first (and is canceled here) or runs after it (and, reading the notice from the
 * conversion row, is recorded as disqualified).
 */
export async function recordAdversePayment(sequelize: Sequelize, input: AdversePaymentInput, options: JoinTransaction = {}): Promise<AdversePaymentResult> {
  const n = parseInput(adverseSchema, input, 'recordAdversePayment');
  const hash = contentHash({ noticeId: n.noticeId, paymentId: n.paymentId, kind: n.kind, occurredAt: n.occurredAt });
  const reason = n.reason ?? `source payment: ${n.kind.replace(/_/g, ' ')}`;
  return inLedgerTransaction(sequelize, async (t) => {
    const adverseKind = await lockConversion(sequelize, t, n.paymentId);
    const notices = await queryRows<NoticeRow>(
      sequelize,
      t,
      'SELECT * FROM ledger_adverse_notices WHERE notice_id = $1 OR (payment_id = $2 AND first_for_payment)',
      [n.noticeId, n.paymentId],
    );
    const same = notices.find((row) => row.notice_id === n.noticeId);
    if (same) {
      if (same.content_hash !== hash) {
        throw new LedgerError('exists_with_different_content', `notice ${n.noticeId} was recorded with other content`, {
          details: {
            noticeId: n.noticeId,
          },
        });
      }
      return {
        noticeId: same.notice_id,
        paymentId: same.payment_id,
        kind: same.kind,
        effect: same.first_for_payment ? 'acted' : 'already_handled',
        changes: same.changes,
        replayed: true,
      };
    }

    const first = adverseKind === null && !notices.some((row) => row.first_for_payment);
    const changes: AdverseChange[] = [];
    if (first) {
      const externalIds = { payment_id: n.paymentId, notice_id: n.noticeId, adverse_kind: n.kind };
      const canceled = await transitionRewards(sequelize, t, {
        selection: { by: 'source_conversion', conversionId: n.paymentId },
        from: ['pending', 'earned'],
        to: 'canceled',
        operation: 'adverse_payment',
        actor: n.actor,
        reason,
        externalIds,
      });
      const toReview = await transitionRewards(sequelize, t, {
        selection: { by: 'source_conversion', conversionId: n.paymentId },
        from: ['applied'],
        to: 'review_required',
        operation: 'adverse_payment',
        actor: n.actor,
        reason,
        externalIds,
      });
      for (const { row, from } of [...canceled, ...toReview]) {
        changes.push({ rewardId: String(row.id), from, to: row.status as RewardState });
      }
    }

    // The notice, and on the conversion row (which we hold locked) the first one that acted.
    await queryRows(
      sequelize,
      t,
      `WITH notice AS (
         INSERT INTO ledger_adverse_notices
           (notice_id, payment_id, kind, occurred_at, content_hash, first_for_payment, changes, actor, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
         RETURNING notice_id
       ), marked AS (
         UPDATE ledger_conversions SET adverse_notice_id = $1, adverse_kind = $3
          WHERE conversion_id = $2 AND $6::boolean AND adverse_kind IS NULL
         RETURNING conversion_id
       )
       SELECT (SELECT count(*) FROM notice) AS notices, (SELECT count(*) FROM marked) AS marked`,
      [n.noticeId, n.paymentId, n.kind, n.occurredAt, hash, first, JSON.stringify(changes), n.actor, reason],
    );
    return {
      noticeId: n.noticeId,
      paymentId: n.paymentId,
      kind: n.kind,
      effect: first ? 'acted' : 'already_handled',
      changes,
      replayed: false,
    };
  }, options.transaction);
}
