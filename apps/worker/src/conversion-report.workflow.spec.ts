import { createAttribution } from '@referrals/attribution';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { createProgramStore } from '@referrals/programs';
import { deliveryBusinessIds, getDelivery, getParticipantRegistration } from '@referrals/impact-sync';
import {
  startOptions,
  workflowIds,
  workflowTypes,
  type RegisterParticipantInput,
  type RegisterParticipantResult,
  type ReportConversionInput,
  type ReportConversionResult,
  type ReverseConversionResult,
} from '@referrals/workflows';
import { eventually, expectLedgerSound, grantKiloPassRewards, KILO_PASS, productCatalogs, uniqueId, useWorkerHarness, type WorkerHarness } from './testing/worker-harness';

function register(h: WorkerHarness, userId: string, cookies = '', product: string = KILO_PASS.product): Promise<RegisterParticipantResult> {
  const email = `${userId}@example.test`;
  const input: RegisterParticipantInput = {
    programKey: KILO_PASS.programKey,
    product,
    userId,
    participant: { id: email, accountId: email, email, firstName: 'Ada', locale: 'en-US', cookies },
  };
  return h.client.workflow.execute(workflowTypes.participantRegistration, startOptions.participantRegistration(input, { taskQueue: h.taskQueue }));
}

function payment(userId: string, attribution: ReportConversionInput['attribution']): ReportConversionInput {
  return {
    conversionId: uniqueId('conv'),
    product: KILO_PASS.product,
    programKey: KILO_PASS.programKey,
    provider: 'stripe',
    sourcePaymentId: uniqueId('in'),
    userId,
    customerEmail: `${userId}@example.test`,
    occurredAt: new Date().toISOString(),
    amountMinor: 4900,
    currency: 'USD',
    item: { category: 'subscription', name: 'tier_49', sku: 'tier_49' },
    attribution,
  };
}

function report(h: WorkerHarness, input: ReportConversionInput): Promise<ReportConversionResult> {
  return h.client.workflow.execute(workflowTypes.conversionReport, startOptions.conversionReport(input, { taskQueue: h.taskQueue }));
}

const submissionsFor = (h: WorkerHarness, orderId: string) =>
  h.impact.fake.requests({ operation: 'submitConversion' }).filter((r) => (r.body as Record<string, unknown>)['OrderId'] === orderId);

describe('registerParticipant', () => {
  const h = useWorkerHarness();
  afterEach(() => h.impact.fake.faults.clear());

  it('registers the participant with Impact Advocate and stores the program-scoped referral code', async () => {
    const userId = uniqueId('referrer');
    const result = await register(h, userId);
    expect(result).toMatchObject({ kind: 'participant_registration', status: 'succeeded', details: { referralCode: expect.any(String) } });
    const stored = await getParticipantRegistration(h.sequelize, KILO_PASS.programKey, userId);
    expect(stored).toMatchObject({ participantId: `${userId}@example.test`, referralCode: result.details['referralCode'] });
    const [request] = h.impact.fake.requests({ operation: 'upsertParticipant' }).filter((r) => r.path.endsWith(encodeURIComponent(`${userId}@example.test`)));
    expect(request?.body).toMatchObject({ locale: 'en_US', email: `${userId}@example.test` });
  });

  it('registers the code with attribution: a visitor arriving with it (rsCode) is referred by the participant at signup', async () => {
    const userId = uniqueId('referrer');
    const code = (await register(h, userId)).details['referralCode'] as string;
    const attribution = createAttribution({
      sequelize: h.sequelize,
      programs: createProgramStore({ sequelize: h.sequelize, catalogs: productCatalogs() }),
      emailHashSecret: 'worker-spec-secret-0123456789',
      eligibilityFacts: (request) => ({
        referral: { created_at: request.signedUpAt },
        referrer: { user_id: request.referrerUserId, rewards_earned: 0 },
        referee: { user_id: request.refereeUserId, is_new_account: request.isNewAccount },
      }),
    });
    const anonymousId = uniqueId('anon');
    await attribution.captureTouch({ kind: 'referral', anonymousId, product: KILO_PASS.product, programKey: KILO_PASS.programKey, saasquatchCookie: 'opaque', metadata: { rsCode: code } });
    const { referral } = await attribution.recordSignup({ product: KILO_PASS.product, userId: uniqueId('referee'), anonymousId, email: 'visitor@example.test' });
    expect(referral).toMatchObject({ referrerUserId: userId, referralCode: code });
  });

  it('retries transient failures and then succeeds once', async () => {
    const userId = uniqueId('user');
    h.impact.fake.faults.failNext('upsertParticipant', 503, { times: 2 });
    expect(await register(h, userId)).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('records a product without Impact configuration as disabled', async () => {
    expect(await register(h, uniqueId('user'), '', 'unconfigured_product')).toMatchObject({
      status: 'disabled',
      error: { code: 'impact_product_not_configured' },
    });
  });
});

describe('reportConversion', () => {
  const h = useWorkerHarness();
  afterEach(() => {
    h.impact.fake.faults.clear();
    h.impact.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 3 }, rewardDelayMs: 0 });
  });

  it('reports the referral SALE with the payment id as OrderId and no click id, and suppresses the affiliate SALE', async () => {
    const input = payment(uniqueId('referee'), { winner: 'referral', affiliateClickId: 'irclick-123' });
    const result = await report(h, input);

    expect(result.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded', details: { impactOrderId: input.sourcePaymentId } });
    expect(result.suppressed).toMatchObject({ kind: 'affiliate_sale', status: 'suppressed', attempts: 0 });
    const [submission, ...more] = submissionsFor(h, input.sourcePaymentId);
    expect(more).toEqual([]);
    expect(submission?.body).toMatchObject({ OrderId: input.sourcePaymentId, ItemSubTotal1: '49.00', CurrencyCode: 'USD', CustomerId: input.userId });
    expect(submission?.body).not.toHaveProperty('ClickId');
    const businessId = deliveryBusinessIds.sale({ ...input, sourceId: input.sourcePaymentId });
    expect(await getDelivery(h.sequelize, 'affiliate_sale', businessId)).toMatchObject({ status: 'suppressed', impactOrderId: input.sourcePaymentId });
    // Impact documents no action id for a completed submission: the batch id is recorded instead.
    const [batch] = h.impact.fake.submissions().filter((s) => s.orderId === input.sourcePaymentId);
    expect(await getDelivery(h.sequelize, 'referral_sale', businessId)).toMatchObject({
      status: 'succeeded',
      deliveryKey: `impact-referral-sale:kilo_pass:stripe:${input.sourcePaymentId}`,
      impactActionId: null,
      details: { submissionBatchId: batch?.batchId },
    });
  });

  it('reports the affiliate SALE with its click id when the affiliate wins', async () => {
    const input = payment(uniqueId('user'), { winner: 'affiliate', clickId: 'irclick-affiliate-9' });
    const result = await report(h, input);
    expect(result).toMatchObject({ reported: { kind: 'affiliate_sale', status: 'succeeded' }, suppressed: null });
    expect(submissionsFor(h, input.sourcePaymentId).map((r) => (r.body as Record<string, unknown>)['ClickId'])).toEqual(['irclick-affiliate-9']);
    expect(await getDelivery(h.sequelize, 'referral_sale', deliveryBusinessIds.sale({ ...input, sourceId: input.sourcePaymentId }))).toBeNull();
  });

  it('retries 503s, polls a queued submission on the next attempt, and records one action', async () => {
    const input = payment(uniqueId('referee'), { winner: 'referral' });
    h.impact.fake.faults.failNext('submitConversion', 503, { times: 1 });
    h.impact.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 4 } });
    const result = await report(h, input);
    expect(result.reported).toMatchObject({ status: 'succeeded', attempts: 3 });
    // Attempt 1: 503. Attempt 2: submitted (queued), still pending after its polls. Attempt 3: polls it to completion.
    expect(submissionsFor(h, input.sourcePaymentId)).toHaveLength(2);
    expect(h.impact.fake.actions().filter((a) => a.orderId === input.sourcePaymentId)).toHaveLength(1);
  });

  it('reverses the reported SALE after an adverse payment', async () => {
    const input = payment(uniqueId('referee'), { winner: 'referral' });
    const { reported } = await report(h, input);
    const reversal = await h.client.workflow.execute(
      workflowTypes.conversionReversal,
      startOptions.conversionReversal(
        { conversionId: input.conversionId, product: input.product, provider: input.provider, sourcePaymentId: input.sourcePaymentId, adverseKind: 'refund' },
        { taskQueue: h.taskQueue },
      ),
    );
    expect(reversal).toMatchObject<Partial<ReverseConversionResult>>({ kind: 'sale_reversal', status: 'succeeded' });
    expect(reported.status).toBe('succeeded');
    // Reversed by ActionTrackerId + OrderId: the SALE's submission carried no action id.
    const action = h.impact.fake.actions().find((a) => a.orderId === input.sourcePaymentId);
    expect(action).toMatchObject({ state: 'REVERSED', disposition: 'ITEM_RETURNED' });
    expect(h.impact.fake.requests({ operation: 'reverseAction' }).at(-1)?.body).toMatchObject({ OrderId: input.sourcePaymentId, ActionTrackerId: expect.any(String) });
  });

  it('has nothing to reverse when no SALE reached Impact (suppressed, no call)', async () => {
    const before = h.impact.fake.requests({ operation: 'reverseAction' }).length;
    const result = await h.client.workflow.execute(
      workflowTypes.conversionReversal,
      startOptions.conversionReversal(
        { conversionId: uniqueId('conv'), product: KILO_PASS.product, provider: 'stripe', sourcePaymentId: uniqueId('in'), adverseKind: 'chargeback' },
        { taskQueue: h.taskQueue },
      ),
    );
    expect(result).toMatchObject({ status: 'suppressed', details: { suppressedReason: 'no SALE was reported for this payment' } });
    expect(h.impact.fake.requests({ operation: 'reverseAction' }).length).toBe(before);
  });

  it('Kilo Pass end to end: registered referrer and referee, referral SALE, delayed Impact reward, referral_bonus redeemed', async () => {
    h.impact.fake.configure({ rewardDelayMs: 1_500 });
    const referrerId = uniqueId('referrer');
    const refereeId = uniqueId('referee');
    const referrer = await register(h, referrerId);
    const code = String(referrer.details['referralCode']);
    const cookie = fakeSaasquatchCookie({ tenantAlias: KILO_PASS.tenantAlias, programId: KILO_PASS.programId, code });
    await register(h, refereeId, cookie);

    // The first monthly tier_49 payment: both rewards earned locally, the referral SALE reported.
    const paidAt = new Date(Date.now() - 1_000);
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: paidAt, referrerId, refereeId });
    await report(h, { ...payment(refereeId, { winner: 'referral' }), occurredAt: paidAt.toISOString() });

    // The referee's second issuance consumes the reward; Impact shows its credit only later.
    const decision = await h.client.workflow.execute(
      workflowTypes.issuanceBonus,
      startOptions.issuanceBonus(
        {
          issuanceId: uniqueId('iss'),
          subscriberId: refereeId,
          product: KILO_PASS.product,
          programKey: KILO_PASS.programKey,
          facts: {
            issuanceCreatedAt: new Date().toISOString(),
            periodEndsAt: new Date(Date.now() + 60_000).toISOString(),
            issuanceNumber: 2,
            firstTimeSubscriber: true,
            subscriberStartedAt: paidAt.toISOString(),
          },
        },
        { taskQueue: h.taskQueue },
      ),
    );
    expect(decision).toMatchObject({ decision: 'referral_bonus', item: { rewardId: referee.id } });
    const redemption = h.client.workflow.getHandle(workflowIds.rewardRedemption(referee.id));
    await eventually(async () => (await getDelivery(h.sequelize, 'reward_redemption', referee.id))?.lastError?.code === 'reward_not_visible', 10_000, 'reward_not_visible');
    const result = await redemption.result();
    expect(result).toMatchObject({ status: 'succeeded', details: { creditRedeemed: 24.5 } });
    const impactReward = h.impact.fake.rewards().find((r) => r.id === result.details['chosenImpactRewardId']);
    expect(impactReward).toMatchObject({ userId: `${refereeId}@example.test`, redeemedCredit: 24.5 });
    await expectLedgerSound(h.sequelize);
  }, 30_000);
});
