import { verifyLedger } from '@referrals/ledger';
import { type DeliveryResult, type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { eventually, kiloIssuance, lookupCallsOf, redeemCallsOf, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

interface DeliveryView {
  businessId: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: { code: string; message: string; httpStatus: number | null } | null;
  nextAttemptAt: string | null;
}
interface AttemptView {
  attempt: number;
  outcome: string;
  errorCode: string | null;
  httpStatus: number | null;
  nextAttemptAt: string | null;
  recordedAt: string;
}

const RETRY_INITIAL_MS = 400;
const RETRY_MAX_MS = 1_600;
/** The worker's per-request Impact timeout in this file (useWorkerE2e's default). */
const IMPACT_TIMEOUT_MS = 2_000;
/** What the rate-limited answer asks for: well above the file's backoff, so honouring it shows. */
const RETRY_AFTER_SECONDS = 4;

/**
 * Acceptance 2 and 3 end to end: Impact Advocate answering 503 (an outage) or 400 (a permanent
 * refusal) to the redeem of a referral reward the issuance-bonus workflow applied, with the api
 * over HTTP, the real worker process, PostgreSQL, the Temporal dev server and the fake Impact
 * server. Operators see it through `GET /v1/admin/ops` and its sub-routes.
 */
describe('Impact outages during a redemption, end to end with the worker (acceptance 2 and 3; issue 14 item 7: 429, timeouts, dropped connections)', () => {
  // Backoff 400, 800, 1600 ms: a retrying redemption stays retrying long enough to be read.
  const e2e = useWorkerE2e({
    impactTimeoutMs: IMPACT_TIMEOUT_MS,
    workerEnv: { DELIVERY_RETRY_INITIAL_INTERVAL_MS: String(RETRY_INITIAL_MS), DELIVERY_RETRY_MAX_INTERVAL_MS: String(RETRY_MAX_MS) },
  });
  const { api } = e2e;

  afterEach(async () => {
    api.fake!.faults.clear();
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  /** Impact's redemptions of the local reward (the worker's request ids name it): exactly one is the goal. */
  const impactRedemptionsOf = (rewardId: string) => api.fake!.redemptions().filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`));

  /** The redemption succeeded once, the reward applied to the issuance, and ops agrees. */
  async function expectRedeemedOnce(rewardId: string, redeemed: DeliveryResult): Promise<void> {
    expect(redeemed).toMatchObject({ kind: 'reward_redemption', businessId: rewardId, status: 'succeeded' });
    await api.fake!.settle();
    expect(impactRedemptionsOf(rewardId)).toHaveLength(1);
    expect(await opsDelivery(rewardId)).toMatchObject({ status: 'succeeded', lastError: null });
    const reward = await api.get(`/v1/admin/rewards/${rewardId}`, 'admin').expect(200);
    expect(reward.body.reward).toMatchObject({ status: 'applied' });
  }

  /** The referee's referral reward applied to their next issuance over the api: the issuance-bonus workflow starts its redemption. */
  async function applyToIssuance(name: string) {
    const subscriber = await referredKiloPassSubscriber(e2e, name);
    return {
      ...subscriber,
      async issue(): Promise<string> {
        await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(e2e.id(`${name}-iss`), subscriber.referee)).expect(202);
        const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(e2e.id(`${name}-iss`)));
        expect(decided).toMatchObject({ decision: 'referral_bonus', item: { itemKind: 'referral_bonus', rewardId: subscriber.refereeReward.id } });
        return decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(subscriber.refereeReward.id);
      },
    };
  }

  const opsRedemption = async (rewardId: string): Promise<DeliveryView | undefined> => {
    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    return (ops.body.needsAttention.redemptions as DeliveryView[]).find((d) => d.businessId === rewardId);
  };
  const opsDelivery = async (rewardId: string): Promise<DeliveryView | undefined> =>
    (await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&limit=500`, 'admin').expect(200)).body.deliveries.find((d: DeliveryView) => d.businessId === rewardId);
  const attemptsOf = async (rewardId: string): Promise<AttemptView[]> =>
    (await api.get(`/v1/admin/ops/deliveries/reward_redemption/${rewardId}/attempts`, 'admin').expect(200)).body.attempts;

  it('acceptance 2: a redemption retried through three 503s redeems exactly once, its retrying attempts visible in ops meanwhile', async () => {
    const subscriber = await applyToIssuance('outage');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.failNext('redeemReward', 503, { times: 3 });
    const redemptionWorkflowId = await subscriber.issue();

    // While Impact is down: ops lists the redemption as retrying, with the 503s it got so far.
    const meanwhile = await eventually(
      async () => {
        const ops = (await api.get('/v1/admin/ops', 'admin').expect(200)).body;
        const d = (ops.needsAttention.redemptions as DeliveryView[]).find((x) => x.businessId === rewardId);
        return d?.status === 'retrying' && d.attempts >= 2 && ops.deliveries.byCategory.redemptions.retrying >= 1 ? d : undefined;
      },
      15_000,
      'ops to show the redemption retrying after two attempts',
    );
    expect(meanwhile).toMatchObject({ kind: 'reward_redemption', lastError: { httpStatus: 503 } });
    expect(meanwhile.nextAttemptAt).toEqual(expect.any(String));
    const attemptsMeanwhile = await attemptsOf(rewardId);
    expect(attemptsMeanwhile.slice(0, 2)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'retrying', httpStatus: 503, nextAttemptAt: expect.any(String) }),
      expect.objectContaining({ attempt: 2, outcome: 'retrying', httpStatus: 503, nextAttemptAt: expect.any(String) }),
    ]);

    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId);
    expect(redeemed).toMatchObject({ kind: 'reward_redemption', businessId: rewardId, status: 'succeeded', attempts: 4 });
    const calls = redeemCallsOf(api, rewardId);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect(api.fake!.redemptions().filter((r) => r.rewardId === redeemed.details['chosenImpactRewardId'])).toHaveLength(1);

    // Afterwards: succeeded, out of the attention list, every attempt kept.
    expect(await opsRedemption(rewardId)).toBeUndefined();
    const listed = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${subscriber.referee}`, 'admin').expect(200);
    expect(listed.body.deliveries).toEqual([expect.objectContaining({ businessId: rewardId, status: 'succeeded', attempts: 4, lastError: null, nextAttemptAt: null })]);
    expect((await attemptsOf(rewardId)).map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'retrying', 503],
      [4, 'succeeded', null],
    ]);
  }, 90_000);

  it('acceptance 3: a permanent 400 to the redeem ends the redemption failed, visible in ops, with no further calls to Impact', async () => {
    const subscriber = await applyToIssuance('refused');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.failNext('redeemReward', 400);
    const redemptionWorkflowId = await subscriber.issue();

    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId);
    expect(redeemed).toMatchObject({ kind: 'reward_redemption', businessId: rewardId, status: 'failed', attempts: 1, error: { httpStatus: 400 } });

    const failed = await opsRedemption(rewardId);
    expect(failed).toMatchObject({ kind: 'reward_redemption', status: 'failed', attempts: 1, lastError: { httpStatus: 400 }, nextAttemptAt: null });
    const ops = (await api.get('/v1/admin/ops', 'admin').expect(200)).body;
    expect(ops.deliveries.byCategory.redemptions.failed).toBeGreaterThanOrEqual(1);
    const listed = await api.get('/v1/admin/ops/deliveries?kind=reward_redemption&status=failed', 'admin').expect(200);
    expect(listed.body.deliveries).toEqual(expect.arrayContaining([expect.objectContaining({ businessId: rewardId, status: 'failed' })]));
    expect((await attemptsOf(rewardId)).map((a) => [a.attempt, a.outcome, a.httpStatus, a.nextAttemptAt])).toEqual([[1, 'failed', 400, null]]);

    // No further calls: the workflow closed, and nothing calls Impact for it during several backoff periods.
    expect((await api.temporal.workflow.getHandle(redemptionWorkflowId).describe()).status.name).toBe('COMPLETED');
    await new Promise((resolve) => setTimeout(resolve, 3 * RETRY_MAX_MS));
    expect(redeemCallsOf(api, rewardId).map((c) => c.status)).toEqual([400]);
    expect(api.fake!.redemptions().filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`))).toHaveLength(0);
    expect(await opsRedemption(rewardId)).toMatchObject({ status: 'failed', attempts: 1 });
  }, 90_000);

  it('an operator requeues a failed redemption after fixing its cause: a new run redeems it exactly once; a second requeue is a 409, an unknown delivery a 404', async () => {
    const subscriber = await applyToIssuance('requeued');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.failNext('redeemReward', 400);
    const redemptionWorkflowId = await subscriber.issue();
    expect(await e2e.result<DeliveryResult>(redemptionWorkflowId)).toMatchObject({ status: 'failed', attempts: 1 });

    const requeued = await api.post(`/v1/admin/ops/deliveries/reward_redemption/${rewardId}/requeue`, 'admin', {}).expect(202);
    expect(requeued.body).toMatchObject({ delivery: { businessId: rewardId, status: 'pending', attempts: 1 }, workflowId: redemptionWorkflowId });
    // Pending again: not requeueable until it fails again.
    const again = await api.post(`/v1/admin/ops/deliveries/reward_redemption/${rewardId}/requeue`, 'admin', {}).expect(409);
    expect(again.body.error.code).toBe('delivery_not_requeueable');

    // The worker's relay starts a new run of the same workflow id; it redeems once.
    await eventually(async () => (await opsDelivery(rewardId))?.status === 'succeeded' || undefined, 30_000, `the requeued redemption of ${rewardId} succeeded`);
    expect(redeemCallsOf(api, rewardId).map((c) => c.status)).toEqual([400, 200]);
    expect(api.fake!.redemptions().filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`))).toHaveLength(1);
    expect((await attemptsOf(rewardId)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);

    const unknown = await api.post('/v1/admin/ops/deliveries/reward_redemption/999999/requeue', 'admin', {}).expect(404);
    expect(unknown.body.error).toMatchObject({ code: 'delivery_not_found' });
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  }, 90_000);

  it('a 429 with Retry-After to the redeem: the next attempt waits the Retry-After (not the shorter backoff), and the reward is redeemed exactly once', async () => {
    const subscriber = await applyToIssuance('ratelimited');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.rateLimit('redeemReward', { retryAfterSeconds: RETRY_AFTER_SECONDS });
    const redemptionWorkflowId = await subscriber.issue();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, 60_000);
    await expectRedeemedOnce(rewardId, redeemed);

    const calls = redeemCallsOf(api, rewardId);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    // Honoured: the second redeem came no sooner than Retry-After after the first (the file's
    // backoff alone would have retried after 400 ms).
    expect(calls[1]!.at.getTime() - calls[0]!.at.getTime()).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 50);
    const attempts = await attemptsOf(rewardId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorCode, a.httpStatus])).toEqual([
      [1, 'retrying', 'rate_limited', 429],
      [2, 'succeeded', null, null],
    ]);
    // Ops showed when the next attempt was due: Retry-After after the rate-limited one.
    expect(Date.parse(attempts[0]!.nextAttemptAt!) - Date.parse(attempts[0]!.recordedAt)).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000 - 50);
  }, 90_000);

  it('an Impact timeout on the redeem (Impact answers after the client gave up): the attempt is retried and the reward is redeemed exactly once', async () => {
    const subscriber = await applyToIssuance('timedout');
    const rewardId = subscriber.refereeReward.id;
    // The fake holds the first redeem past the client's timeout, then processes it anyway.
    api.fake!.faults.addLatency('redeemReward', IMPACT_TIMEOUT_MS + 1_500, { times: 1 });
    const redemptionWorkflowId = await subscriber.issue();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, 60_000);
    // Whichever of the late first call and the retry reached Impact first redeemed; the other was
    // answered "already redeemed" (our own redemption), never a second redemption.
    await eventually(() => redeemCallsOf(api, rewardId).every((c) => c.status !== null) || undefined, 10_000, 'the held redeem to be answered');
    await expectRedeemedOnce(rewardId, redeemed);
    expect(redeemCallsOf(api, rewardId).length).toBeGreaterThanOrEqual(2);
    const attempts = await attemptsOf(rewardId);
    expect(attempts[0]).toMatchObject({ attempt: 1, outcome: 'retrying', errorCode: 'timeout' });
    expect(attempts.at(-1)).toMatchObject({ outcome: 'succeeded' });
  }, 90_000);

  it('a connection dropped after Impact processed the redeem: the retry finds the chosen reward fully redeemed and counts it as done, without redeeming again; one redemption at Impact', async () => {
    const subscriber = await applyToIssuance('dropped-after');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.resetConnections('redeemReward', { when: 'after' });
    const redemptionWorkflowId = await subscriber.issue();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, 60_000);
    await expectRedeemedOnce(rewardId, redeemed);
    expect(redeemed.details).toMatchObject({ alreadyRedeemed: true });
    // The retry looks the chosen reward up first (no credit left: our own redemption) and sends no second redeem.
    expect(redeemCallsOf(api, rewardId).map((c) => c.status)).toEqual(['connection_reset']);
    expect(lookupCallsOf(api, rewardId).at(-1)?.responseBody).toMatchObject({ redeemedCredit: 24.5, assignedCredit: 24.5 });
    expect((await attemptsOf(rewardId)).map((a) => [a.attempt, a.outcome, a.errorCode])).toEqual([
      [1, 'retrying', 'network_error'],
      [2, 'succeeded', null],
    ]);
  }, 90_000);

  it('a connection dropped before Impact processed the redeem: the retry redeems it; one redemption at Impact', async () => {
    const subscriber = await applyToIssuance('dropped-before');
    const rewardId = subscriber.refereeReward.id;
    api.fake!.faults.resetConnections('redeemReward', { when: 'before' });
    const redemptionWorkflowId = await subscriber.issue();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, 60_000);
    await expectRedeemedOnce(rewardId, redeemed);
    expect(redeemCallsOf(api, rewardId).map((c) => c.status)).toEqual(['connection_reset', 200]);
    expect((await attemptsOf(rewardId)).map((a) => [a.attempt, a.outcome, a.errorCode])).toEqual([
      [1, 'retrying', 'network_error'],
      [2, 'succeeded', null],
    ]);
  }, 90_000);
});
