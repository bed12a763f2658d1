import { verifyLedger } from '@referrals/ledger';
import { type DeliveryResult, type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { eventually, kiloIssuance, lookupCallsOf, redeemCallsOf, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

/** Longer than the worker's shutdown grace time (10 s): the stopping worker gives up on the in-flight redeem. */
const REDEEM_LATENCY_MS = 12_000;
/** How long the fake holds the redeem the killed worker sent (Impact redeems after it; nobody reads the answer). */
const KILLED_REDEEM_LATENCY_MS = 3_000;
/**
 * The new worker's deadline to finish the redemption: well under the delivery activities'
 * 2-minute start-to-close timeout, so only the heartbeat timeout (5 s by default) can bring the
 * killed worker's attempt back this early.
 */
const AFTER_KILL_DEADLINE_MS = 40_000;

type WorkerE2e = ReturnType<typeof useWorkerE2e>;

/**
 * A referred subscriber's reward applied to their next issuance, its redeem call held at the fake
 * for `latencyMs`; `goAway` (stop or kill the worker process) runs once the call is in flight, and
 * the fake then redeems with nobody reading the answer. Returns what the assertions need.
 */
async function redemptionInFlightWhenWorkerGoes(e2e: WorkerE2e, label: string, latencyMs: number, goAway: () => Promise<void>) {
  const { api } = e2e;
  const { referee, refereeReward } = await referredKiloPassSubscriber(e2e, label);
  const rewardId = refereeReward.id;
  api.fake!.faults.addLatency('redeemReward', latencyMs, { times: 1 });
  const issuanceId = e2e.id(`${label}-iss`);
  await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, referee)).expect(202);
  const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
  expect(decided).toMatchObject({ decision: 'referral_bonus', item: { rewardId } });
  const redemptionWorkflowId = decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(rewardId);

  await eventually(() => redeemCallsOf(api, rewardId).length === 1, 20_000, 'the redeem call to reach the fake');
  await goAway();
  const chosen = await eventually(
    () => api.fake!.redemptions().find((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`)),
    latencyMs + 5_000,
    'Impact to redeem the reward',
  );
  return { referee, rewardId, issuanceId, redemptionWorkflowId, chosen };
}

/**
 * Acceptance 6 end to end: the worker process is stopped while its redeem call is in flight at
 * Impact (the fake answers late; Impact redeems, the answer is lost with the process), and a new
 * worker process takes over. The redemption completes once: the retry's "already redeemed" for
 * the reward chosen before is our own redemption.
 */
describe('A worker process stopped in the middle of a redemption, end to end (acceptance 6)', () => {
  // The Impact client waits longer than the fake's latency: only the worker's stop cuts the call.
  const e2e = useWorkerE2e({ impactTimeoutMs: 30_000 });
  const { api } = e2e;
  afterEach(async () => expect(await verifyLedger(api.db.sequelize)).toEqual([]));

  it('acceptance 6: a redemption in flight when the worker process stops completes once after a new worker process starts', async () => {
    // The redeem reached Impact; the worker process stops while it waits for the answer. Impact
    // redeems meanwhile, but nobody receives the answer.
    const { referee, rewardId, issuanceId, redemptionWorkflowId, chosen } = await redemptionInFlightWhenWorkerGoes(e2e, 'restart', REDEEM_LATENCY_MS, () => e2e.stopWorker());
    // Ops does not show it redeemed.
    const whileDown = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${referee}`, 'admin').expect(200);
    expect(whileDown.body.deliveries).toEqual([expect.objectContaining({ businessId: rewardId, status: expect.stringMatching(/^(pending|retrying)$/) })]);

    await e2e.startWorker();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, 60_000);

    expect(redeemed).toMatchObject({
      kind: 'reward_redemption',
      businessId: rewardId,
      status: 'succeeded',
      details: { chosenImpactRewardId: chosen.rewardId, alreadyRedeemed: true },
    });
    // Exactly one redemption at Impact; the new worker looked the chosen reward up, found no credit
    // left (our own redemption, its answer lost) and sent no second redeem.
    expect(api.fake!.redemptions().filter((r) => r.rewardId === chosen.rewardId)).toHaveLength(1);
    expect(redeemCallsOf(api, rewardId)).toHaveLength(1);
    expect(lookupCallsOf(api, rewardId).at(-1)?.responseBody).toMatchObject({ id: chosen.rewardId, redeemedCredit: 24.5, assignedCredit: 24.5 });

    const after = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${referee}`, 'admin').expect(200);
    expect(after.body.deliveries).toEqual([expect.objectContaining({ businessId: rewardId, status: 'succeeded', attempts: 2, lastError: null })]);
    // The stopped worker's attempt is recorded as retrying (its call cut), the new worker's as the success.
    const attempts = await api.get(`/v1/admin/ops/deliveries/reward_redemption/${rewardId}/attempts`, 'admin').expect(200);
    expect(attempts.body.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([
      [1, 'retrying'],
      [2, 'succeeded'],
    ]);
    const reward = await api.get(`/v1/admin/rewards/${rewardId}`, 'admin').expect(200);
    expect(reward.body.reward).toMatchObject({ status: 'applied', consumedByIssuanceId: issuanceId });
  }, 120_000);
});

/**
 * The worker process dies (SIGKILL: a crash, an OOM kill) while its redeem call is held at Impact:
 * no drain, no attempt recorded. The delivery activities heartbeat and are scheduled with a
 * heartbeat timeout (DELIVERY_HEARTBEAT_TIMEOUT_MS, 5 s by default), so Temporal retries the dead
 * worker's attempt on the new worker process seconds later instead of after the 2-minute
 * start-to-close timeout; the retry's "already redeemed" for the reward chosen before is our own
 * redemption.
 */
describe('A worker process killed in the middle of a redemption, end to end', () => {
  // The Impact client waits longer than the fake's latency: only the kill cuts the call.
  const e2e = useWorkerE2e({ impactTimeoutMs: 30_000 });
  const { api } = e2e;
  afterEach(async () => expect(await verifyLedger(api.db.sequelize)).toEqual([]));

  it('a redemption in flight when the worker process is killed is retried by a new worker process after the heartbeat timeout and completes once', async () => {
    // The redeem reached Impact; the worker process is killed while the fake holds it. Impact
    // redeems the held call, but its answer went nowhere: nothing was recorded.
    const { referee, rewardId, issuanceId, redemptionWorkflowId, chosen } = await redemptionInFlightWhenWorkerGoes(e2e, 'killed', KILLED_REDEEM_LATENCY_MS, () => e2e.killWorker());
    const whileDown = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${referee}`, 'admin').expect(200);
    expect(whileDown.body.deliveries).toEqual([expect.objectContaining({ businessId: rewardId, status: 'pending', attempts: 0 })]);

    await e2e.startWorker();
    const redeemed = await e2e.result<DeliveryResult>(redemptionWorkflowId, AFTER_KILL_DEADLINE_MS);

    expect(redeemed).toMatchObject({
      kind: 'reward_redemption',
      businessId: rewardId,
      status: 'succeeded',
      attempts: 1,
      details: { chosenImpactRewardId: chosen.rewardId, alreadyRedeemed: true },
    });
    // Exactly one redemption at Impact: the killed worker's call (answered 200 to nobody), then the
    // same attempt retried by Temporal on the new worker, which found the chosen reward without credit
    // left (a lookup) and counted it redeemed without a second redeem.
    expect(api.fake!.redemptions().filter((r) => r.rewardId === chosen.rewardId)).toHaveLength(1);
    expect(redeemCallsOf(api, rewardId).map((c) => [c.requestId, c.status])).toEqual([[`impact-advocate-reward-redemption:${rewardId}:attempt-1`, 200]]);
    expect(lookupCallsOf(api, rewardId).map((c) => [c.requestId, c.status])).toEqual([[`impact-advocate-reward-redemption:${rewardId}:attempt-1`, 200]]);

    // The killed worker's attempt was never recorded; its retry by the new worker is attempt 1, succeeded.
    const after = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${referee}`, 'admin').expect(200);
    expect(after.body.deliveries).toEqual([expect.objectContaining({ businessId: rewardId, status: 'succeeded', attempts: 1, lastError: null })]);
    const attempts = await api.get(`/v1/admin/ops/deliveries/reward_redemption/${rewardId}/attempts`, 'admin').expect(200);
    expect(attempts.body.attempts.map((a: { attempt: number; outcome: string }) => [a.attempt, a.outcome])).toEqual([[1, 'succeeded']]);
    const reward = await api.get(`/v1/admin/rewards/${rewardId}`, 'admin').expect(200);
    expect(reward.body.reward).toMatchObject({ status: 'applied', consumedByIssuanceId: issuanceId });
  }, 60_000);
});
