import { hashRequestBody, lookupIdempotencyKey, storeIdempotentAnswer } from '@referrals/db';
import { type AdversePaymentKind, inLedgerTransaction, recordAdversePayment } from '@referrals/ledger';
import { enqueueWork, type OutboxWork } from '@referrals/outbox';
import { lockBusinessKey } from '@referrals/sql';
import { startOptions, workflowTypes } from '@referrals/workflows';
import { conversionKeyString } from '@referrals/config';
import { adverseNoticeTimes, checkEventTimes } from './event-times';
import { type RewardingDeps } from './record-qualifying-event';
import { RewardingError } from './rewarding.errors';

/** A refund, chargeback, fraud mark or enforced early-fraud-warning refund of a payment. Identity: noticeId. */
export interface AdversePaymentNotice {
  readonly noticeId: string;
  readonly provider: string;
  readonly sourcePaymentId: string;
  readonly product: string;
  readonly kind: AdversePaymentKind;
  readonly occurredAt: string;
  readonly reason?: string | undefined;
}

export interface AdverseNoticeAnswer {
  noticeId: string;
  paymentId: string;
  kind: AdversePaymentKind;
  effect: 'acted' | 'already_handled';
  changes: { rewardId: string; from: string; to: string }[];
  workflows: { type: string; workflowId: string }[];
}

/**
 * An adverse notice in ONE transaction: the ledger's reaction (the first notice of a payment
 * cancels its pending/earned rewards and puts applied ones in review), the SALE reversal as an
 * outbox row when the payment's SALE was reported, and the stored answer. Idempotent per noticeId.
 */
export async function recordAdverseNotice(deps: RewardingDeps, notice: AdversePaymentNotice): Promise<{ answer: AdverseNoticeAnswer; replayed: boolean; acted: boolean }> {
  const product = deps.products.get(notice.product);
  if (!product) throw new RewardingError('product_unknown', `product "${notice.product}" is not served here`, {
      issues: [{ path: 'product', code: 'product_unknown', message: 'unknown product' }],
    });
  checkEventTimes(deps, 'adverse payment notice', adverseNoticeTimes(notice));
  const paymentId = conversionKeyString({ provider: notice.provider, sourceId: notice.sourcePaymentId });
  const scope = 'event:adverse-payment';
  const requestHash = hashRequestBody(notice);
  return inLedgerTransaction(deps.sequelize, async (t) => {
    await lockBusinessKey(deps.sequelize, t, `${scope}:${notice.noticeId}`);
    const seen = await lookupIdempotencyKey(deps.sequelize, scope, notice.noticeId, requestHash, t);
    if (seen.kind === 'conflict') {
      throw new RewardingError('event_exists_with_different_content', `notice ${notice.noticeId} was recorded with other content; the first recording stands`);
    }
    if (seen.kind === 'replay') return { answer: seen.body as AdverseNoticeAnswer, replayed: true, acted: false };
    const result = await recordAdversePayment(
      deps.sequelize,
      {
        noticeId: notice.noticeId,
        paymentId,
        kind: notice.kind,
        occurredAt: new Date(notice.occurredAt),
        actor: 'rewarding:adverse-payment',
        ...(notice.reason ? { reason: notice.reason } : {}),
      },
      { transaction: t },
    );
    const works: OutboxWork[] = [];
    const conversion = product.reportsSales
      ? await deps.attribution.findConversion({ provider: notice.provider, sourceId: notice.sourcePaymentId }, { transaction: t })
      : null;
    // Only a payment whose SALE was (or is being) reported has something to reverse in Impact.
    if (conversion && conversion.sale && conversion.winner !== 'none') {
      works.push({
        kind: 'start',
        workflowType: workflowTypes.conversionReversal,
        options: startOptions.conversionReversal(
          { conversionId: paymentId, product: product.product, provider: notice.provider, sourcePaymentId: notice.sourcePaymentId, userId: conversion.userId, adverseKind: notice.kind },
          deps.startOverrides,
        ),
      });
    }
    const queued = await enqueueWork(deps.sequelize, t, works);
    const answer: AdverseNoticeAnswer = {
      noticeId: result.noticeId,
      paymentId: result.paymentId,
      kind: result.kind,
      effect: result.effect,
      changes: result.changes.map((c) => ({ rewardId: c.rewardId, from: c.from, to: c.to })),
      workflows: queued.map((w) => ({ type: w.workflowType, workflowId: w.workflowId })),
    };
    await storeIdempotentAnswer(deps.sequelize, { scope, key: notice.noticeId, requestHash, status: 200, body: answer }, t);
    return { answer, replayed: false, acted: !result.replayed };
  });
}
