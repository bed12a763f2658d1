import { deliveryBusinessIds, getParticipantRegistration } from '@referrals/impact-sync';
import { type DeliveryResult, type IssuanceBonusResult, type ReportConversionResult, type ReverseConversionResult, workflowIds } from '@referrals/workflows';
import { KILO_PASS_PROGRAM, kiloPayment } from './testing/kilo-pass-fixtures';
import { kiloIssuance, redeemCallsOf, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

interface DeliveryView {
  businessId: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: { code: string; message: string; httpStatus: number | null } | null;
  nextAttemptAt: string | null;
}

/**
 * Issue 20 end to end: the api over HTTP, the real worker process, PostgreSQL, the Temporal dev
 * server and the fake Impact server in its default, documented contract (Conversions answer
 * QUEUED, API submissions go Queued, In Progress, Complete without an action id or with an
 * ErrorType, reward lists carry programId, partial redemptions, strict locales).
 */
describe('Impact as documented, end to end with the worker (issue 20)', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;

  afterEach(() => {
    api.fake!.faults.clear();
    api.fake!.configure({ contract: 'documented', submissions: { mode: 'queued', pollsUntilComplete: 3 } });
  });

  const saleBusinessId = (invoice: string) => deliveryBusinessIds.sale({ product: 'kilo_pass', provider: 'stripe', sourceId: invoice });
  const opsDeliveries = async (kind: string, userId: string): Promise<DeliveryView[]> =>
    (await api.get(`/v1/admin/ops/deliveries?kind=${kind}&userId=${userId}`, 'admin').expect(200)).body.deliveries;
  const submissionsOf = (orderId: string) =>
    api.fake!.requests({ operation: 'submitConversion' }).filter((r) => (r.body as Record<string, unknown>)['OrderId'] === orderId);

  it('[145, 147] reports a referral SALE once: QUEUED, polled to Complete without an action id, delivered with its batch id', async () => {
    const subscriber = await referredKiloPassSubscriber(e2e, 'sale');
    const invoice = e2e.id('sale-in');

    const submitted = submissionsOf(invoice);
    expect(submitted).toHaveLength(1);
    expect(submitted[0]?.responseBody).toEqual({ Status: 'QUEUED', QueuedUri: expect.stringMatching(/\/APISubmissions\//) });
    const polls = api.fake!.requests({ operation: 'pollSubmission' }).filter((r) => (r.responseBody as { OrderId?: string }).OrderId === invoice);
    expect(polls.map((p) => (p.responseBody as { Status: string }).Status)).toEqual(['Queued', 'In Progress', 'Complete']);
    expect(polls.at(-1)?.responseBody).not.toHaveProperty('ActionId');

    const report = await e2e.result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${invoice}`));
    const batchId = api.fake!.submissions().find((s) => s.orderId === invoice)?.batchId;
    expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded', attempts: 1, details: { submissionBatchId: batchId, impactOrderId: invoice } });
    expect(report.reported?.details).not.toHaveProperty('impactActionId');
    expect(await opsDeliveries('referral_sale', subscriber.referee)).toEqual([
      expect.objectContaining({ businessId: saleBusinessId(invoice), status: 'succeeded', attempts: 1, lastError: null }),
    ]);
    expect(api.fake!.actions().filter((a) => a.orderId === invoice)).toHaveLength(1);
  }, 90_000);

  it('[162, 163] a refund after the delivered SALE queues one reversal, by ActionTrackerId and OrderId, and ends it delivered', async () => {
    const subscriber = await referredKiloPassSubscriber(e2e, 'refund');
    const invoice = e2e.id('refund-in');
    const notice = { provider: 'stripe', sourcePaymentId: invoice, product: 'kilo_pass', kind: 'refund', occurredAt: new Date().toISOString() };

    const first = await api.post('/v1/events/adverse-payment', 'billing', { ...notice, noticeId: e2e.id('refund-n1') }).expect(200);
    const again = await api.post('/v1/events/adverse-payment', 'billing', { ...notice, noticeId: e2e.id('refund-n2'), kind: 'chargeback' }).expect(200);
    expect(again.body.effect).toBe('already_handled');
    const reversalWorkflowId = workflowIds.conversionReversal(`stripe:${invoice}`);
    expect(first.body.workflows).toEqual(expect.arrayContaining([expect.objectContaining({ workflowId: reversalWorkflowId })]));

    const reversal = await e2e.result<ReverseConversionResult>(reversalWorkflowId);
    expect(reversal).toMatchObject({ kind: 'sale_reversal', status: 'succeeded', attempts: 1, details: { reversedKind: 'referral_sale', disposition: 'ITEM_RETURNED' } });
    const reversals = api.fake!.requests({ operation: 'reverseAction' }).filter((r) => (r.body as Record<string, unknown>)['OrderId'] === invoice);
    expect(reversals).toHaveLength(1);
    expect(reversals[0]?.body).toEqual({ ActionTrackerId: '71759', OrderId: invoice, DispositionCode: 'ITEM_RETURNED' });
    expect(reversals[0]?.responseBody).toMatchObject({ Status: 'QUEUED' });
    expect(api.fake!.actions().find((a) => a.orderId === invoice)).toMatchObject({ state: 'REVERSED', disposition: 'ITEM_RETURNED' });
    expect(await opsDeliveries('sale_reversal', subscriber.referee)).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1 })]);
  }, 90_000);

  it('[148, 171] a SALE whose submission completes with a configuration ErrorType ends failed in ops, and is not sent again', async () => {
    api.fake!.configure({ submissions: { mode: 'queued', pollsUntilComplete: 2, result: 'configuration_error' } });
    const buyer = e2e.id('misconfigured-buyer');
    const invoice = e2e.id('misconfigured-in');
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', userId: buyer, product: 'kilo_pass', clickId: `click-${e2e.id('mc')}` }).expect(201);
    await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(buyer, invoice)).expect(200);

    const report = await e2e.result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${invoice}`));

    expect(report.reported).toMatchObject({
      kind: 'affiliate_sale',
      status: 'failed',
      attempts: 1,
      error: { code: 'submission_configuration_error', message: expect.stringContaining('ACTIONTRACKER_CAMPAIGN_MISMATCH') },
    });
    const ops = (await api.get('/v1/admin/ops', 'admin').expect(200)).body;
    expect(ops.needsAttention.conversionReports).toEqual(
      expect.arrayContaining([expect.objectContaining({ businessId: saleBusinessId(invoice), status: 'failed', attempts: 1, nextAttemptAt: null, lastError: expect.objectContaining({ code: 'submission_configuration_error' }) })]),
    );
    // Nothing resends it: the workflow closed and, several backoff periods later, Impact saw one submission.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(submissionsOf(invoice)).toHaveLength(1);
    expect(api.fake!.actions().filter((a) => a.orderId === invoice)).toHaveLength(0);
  }, 90_000);

  it('[17] registers participants whose locale is a bare language (left out: Advocate refuses it) or a full one (sent as language_COUNTRY)', async () => {
    const registered: Record<string, unknown>[] = [];
    for (const [name, locale] of [['bare', 'en'], ['full', 'en-GB']] as const) {
      const user = { id: e2e.id(`locale-${name}`), email: `${e2e.id(`locale-${name}`)}@example.com`, locale };
      const token = await api.post('/v1/widget-tokens', 'storefront', { programKey: KILO_PASS_PROGRAM, user }).expect(200);
      expect(await e2e.result<DeliveryResult>(token.body.registration.workflowId)).toMatchObject({ kind: 'participant_registration', status: 'succeeded', attempts: 1 });
      const upserts = api.fake!.requests({ operation: 'upsertParticipant' }).filter((r) => (r.body as { id?: string }).id === user.email);
      registered.push(...upserts.map((r) => r.body as Record<string, unknown>));
    }
    expect(registered.map((body) => body['locale'])).toEqual([undefined, 'en_GB']);
  }, 90_000);

  it('[142] sends the payment\'s promo code as the order\'s OrderPromoCode, a documented Conversions field', async () => {
    const buyer = e2e.id('promo-buyer');
    const invoice = e2e.id('promo-in');
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', userId: buyer, product: 'kilo_pass', clickId: `click-${e2e.id('promo')}` }).expect(201);
    await api.post('/v1/events/payment-succeeded', 'billing', { ...kiloPayment(buyer, invoice), promoCode: 'SPRING26' }).expect(200);

    const report = await e2e.result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${invoice}`));

    expect(report.reported).toMatchObject({ kind: 'affiliate_sale', status: 'succeeded' });
    const [submission, ...more] = submissionsOf(invoice);
    expect(more).toEqual([]);
    expect(submission?.body).toMatchObject({ OrderPromoCode: 'SPRING26' });
    expect(submission?.body).not.toHaveProperty('PromoCode');
  }, 90_000);

  /** The referee's referral reward applied to their next issuance: the issuance-bonus workflow starts its redemption. */
  async function redeemOnNextIssuance(name: string, subscriber: Awaited<ReturnType<typeof referredKiloPassSubscriber>>): Promise<DeliveryResult> {
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(e2e.id(`${name}-iss`), subscriber.referee)).expect(202);
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(e2e.id(`${name}-iss`)));
    expect(decided).toMatchObject({ decision: 'referral_bonus', item: { rewardId: subscriber.refereeReward.id } });
    return e2e.result<DeliveryResult>(decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(subscriber.refereeReward.id));
  }

  it('[158b, 139] a redeem whose answer is lost, then retried, ends redeemed once', async () => {
    const subscriber = await referredKiloPassSubscriber(e2e, 'lost');
    // Impact redeems, but the connection drops before the answer reaches the worker.
    api.fake!.faults.resetConnections('redeemReward', { when: 'after', times: 1 });

    const redeemed = await redeemOnNextIssuance('lost', subscriber);

    expect(redeemed).toMatchObject({ kind: 'reward_redemption', status: 'succeeded', attempts: 2 });
    const chosen = redeemed.details['chosenImpactRewardId'];
    expect(api.fake!.redemptions().filter((r) => r.rewardId === chosen)).toHaveLength(1);
    expect(api.fake!.rewards().find((r) => r.id === chosen)).toMatchObject({ assignedCredit: 24.5, redeemedCredit: 24.5 });
    expect(redeemCallsOf(api, subscriber.refereeReward.id).map((c) => c.status)).toEqual(['connection_reset']);
  }, 90_000);

  it('[3, 4, 158a] two programs sharing a tenant never redeem each other\'s rewards', async () => {
    // The referee also holds a KiloClaw-program credit of the same unit and amount, listed first.
    const refereeEmail = `${e2e.id('shared-referee')}@example.com`;
    const other = api.fake!.addReward({ tenantAlias: 'referrals_demo', accountId: refereeEmail, userId: refereeEmail, amount: 24.5, unit: 'USD', programId: '51699' });
    const subscriber = await referredKiloPassSubscriber(e2e, 'shared');
    expect((await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, subscriber.referee))?.participantId).toBe(refereeEmail);

    const redeemed = await redeemOnNextIssuance('shared', subscriber);

    expect(redeemed).toMatchObject({ status: 'succeeded' });
    const chosen = api.fake!.rewards().find((r) => r.id === redeemed.details['chosenImpactRewardId']);
    expect(chosen).toMatchObject({ programId: '51700', userId: refereeEmail, redeemedCredit: 24.5 });
    expect(api.fake!.rewards().find((r) => r.id === other.id)).toMatchObject({ redeemedCredit: 0, redemptions: [] });
    expect(api.fake!.redemptions().filter((r) => r.rewardId === other.id)).toEqual([]);
  }, 90_000);
});
