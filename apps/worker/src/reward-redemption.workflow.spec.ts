import { getDelivery, listDeliveryAttempts } from '@referrals/impact-sync';
import { applyRewardToIssuance, type Reward } from '@referrals/ledger';
import { deliveryProgressQuery, startOptions, workflowTypes, type RedeemRewardResult } from '@referrals/workflows';
import {
  eventually,
  expectLedgerSound,
  givenImpactParticipantWithReward,
  grantKiloPassRewards,
  KILO_PASS,
  uniqueId,
  useWorkerHarness,
  type WorkerHarness,
} from './testing/worker-harness';

/** A referee's reward, earned and applied to an issuance (what the issuance-bonus workflow does). */
async function appliedReward(h: WorkerHarness): Promise<Reward> {
  const earnedAt = new Date(Date.now() - 60_000);
  const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt });
  const applied = await applyRewardToIssuance(h.sequelize, {
    issuanceId: uniqueId('iss'),
    beneficiaryId: referee.beneficiaryId,
    product: KILO_PASS.product,
    issuanceCreatedAt: new Date(),
    actor: 'test:apply',
  });
  if (applied.outcome !== 'applied') throw new Error(`expected the reward to be applied, got ${applied.outcome}`);
  return applied.reward;
}

function startRedemption(h: WorkerHarness, reward: Reward) {
  return h.client.workflow.start(
    workflowTypes.rewardRedemption,
    startOptions.rewardRedemption({ rewardId: reward.id, programKey: reward.programKey, beneficiaryId: reward.beneficiaryId }, { taskQueue: h.taskQueue }),
  );
}

const redeemCalls = (h: WorkerHarness) => h.impact.fake.requests({ operation: 'redeemReward' });
const redemptionsOf = (h: WorkerHarness, impactRewardId: string) => h.impact.fake.redemptions().filter((r) => r.rewardId === impactRewardId);

describe('redeemReward', () => {
  const h = useWorkerHarness();

  afterEach(async () => {
    h.impact.fake.faults.clear();
    await expectLedgerSound(h.sequelize);
  });

  it('redeems the applied reward at Impact: the chosen reward is persisted and the delivery shows redeemed', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);

    const handle = await startRedemption(h, reward);
    const result: RedeemRewardResult = await handle.result();

    expect(result).toMatchObject({
      kind: 'reward_redemption',
      businessId: reward.id,
      status: 'succeeded',
      attempts: 1,
      error: null,
      details: { chosenImpactRewardId: impactRewardId, creditRedeemed: 24.5, unit: 'USD' },
    });
    expect(redemptionsOf(h, impactRewardId)).toEqual([expect.objectContaining({ amount: 24.5, unit: 'USD' })]);
    expect(await getDelivery(h.sequelize, 'reward_redemption', reward.id)).toMatchObject({
      status: 'succeeded',
      chosenImpactRewardId: impactRewardId,
      deliveryKey: `impact-advocate-reward-redemption:${reward.id}`,
      workflowId: `reward-redemption-${reward.id}`,
    });
    await expectLedgerSound(h.sequelize);
  });

  it('retries 503s with backoff, shows the attempts meanwhile, and completes with exactly one successful redeem', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    const before = redeemCalls(h).length;
    h.impact.fake.faults.failNext('redeemReward', 503, { times: 3 });

    const handle = await startRedemption(h, reward);
    const meanwhile = await eventually(async () => {
      const d = await getDelivery(h.sequelize, 'reward_redemption', reward.id);
      return d?.status === 'retrying' ? d : undefined;
    }, 10_000, 'the redemption to show as retrying');
    expect(meanwhile.attempts).toBeGreaterThanOrEqual(1);
    expect(meanwhile.lastError).toMatchObject({ code: 'server_error', httpStatus: 503 });
    expect(meanwhile.nextAttemptAt).not.toBeNull();

    const result = await handle.result();
    expect(result).toMatchObject({ status: 'succeeded', attempts: 4 });
    expect(redeemCalls(h).length - before).toBe(4);
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(1);
    const attempts = await listDeliveryAttempts(h.sequelize, 'reward_redemption', reward.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'retrying', 503],
      [4, 'succeeded', null],
    ]);
    expect(await handle.query(deliveryProgressQuery)).toMatchObject({ status: 'retrying', attempts: 3 });
    await expectLedgerSound(h.sequelize);
  });

  it('stops at a permanent 400: failed state with the error, and no further calls', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    const before = redeemCalls(h).length;
    h.impact.fake.faults.failNext('redeemReward', 400);

    const result = await (await startRedemption(h, reward)).result();

    expect(result).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'bad_request', httpStatus: 400 } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(redeemCalls(h).length - before).toBe(1);
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(0);
    expect(await getDelivery(h.sequelize, 'reward_redemption', reward.id)).toMatchObject({
      status: 'failed',
      lastError: { code: 'bad_request', httpStatus: 400 },
      nextAttemptAt: null,
    });
  });

  it('retries while the reward is not visible in Impact yet, then redeems it', async () => {
    const reward = await appliedReward(h);
    const participantId = `${reward.beneficiaryId}@example.test`;
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId, 1);
    // Only a 1 USD reward is visible: too small for 24.50, so nothing matches yet.
    const handle = await startRedemption(h, reward);
    await eventually(async () => {
      const d = await getDelivery(h.sequelize, 'reward_redemption', reward.id);
      return d?.lastError?.code === 'reward_not_visible' && d.attempts >= 2;
    }, 10_000, 'reward_not_visible retries');
    const visible = h.impact.fake.addReward({ tenantAlias: KILO_PASS.tenantAlias, accountId: participantId, userId: participantId, amount: 24.5, unit: 'USD', programId: KILO_PASS.programId });

    const result = await handle.result();
    expect(result).toMatchObject({ status: 'succeeded', details: { chosenImpactRewardId: visible.id } });
    expect(redemptionsOf(h, visible.id)).toHaveLength(1);
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(0);
  });

  it('waits for the beneficiary to be registered with Impact (retrying, visible to ops)', async () => {
    const reward = await appliedReward(h);
    const handle = await startRedemption(h, reward);
    await eventually(async () => {
      const d = await getDelivery(h.sequelize, 'reward_redemption', reward.id);
      return d?.status === 'retrying' && d.lastError?.code === 'participant_not_registered';
    }, 10_000, 'participant_not_registered');
    await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    expect(await handle.result()).toMatchObject({ status: 'succeeded' });
  });

  it('completes once when the worker is stopped in the middle of a redemption and started again', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    const before = redeemCalls(h).length;
    // The redeem reaches Impact, which answers only after the worker is gone.
    h.impact.fake.faults.addLatency('redeemReward', 1_500, { times: 1 });

    const handle = await startRedemption(h, reward);
    await eventually(() => redeemCalls(h).length > before, 10_000, 'the redeem call to reach the fake');
    await h.stopWorker();
    await new Promise((resolve) => setTimeout(resolve, 1_600)); // Impact redeems meanwhile.
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(1);
    await h.startWorker();

    const result = await handle.result();
    // The lost answer was retried: Impact's "already redeemed" for the reward chosen before is success.
    expect(result).toMatchObject({ status: 'succeeded', details: { chosenImpactRewardId: impactRewardId, alreadyRedeemed: true } });
    // Exactly one redemption at Impact: the retry's "already redeemed" was our own earlier attempt.
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(1);
    expect(await getDelivery(h.sequelize, 'reward_redemption', reward.id)).toMatchObject({ status: 'succeeded' });
    await expectLedgerSound(h.sequelize);
  }, 30_000);

  it('starting the same redemption twice is a no-op: the running one is reused, a finished one is not run again', async () => {
    const reward = await appliedReward(h);
    await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    h.impact.fake.faults.addLatency('redeemReward', 1_000, { times: 1 });
    const first = await startRedemption(h, reward);
    const second = await startRedemption(h, reward);
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    await first.result();
    await expect(startRedemption(h, reward)).rejects.toThrow(/already started/i);
    expect(h.impact.fake.redemptions().filter((r) => r.requestId?.includes(`:${reward.id}:`))).toHaveLength(1);
  });

  it('records a product without Impact Advocate configuration as disabled, sending nothing', async () => {
    const earnedAt = new Date(Date.now() - 60_000);
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt, product: 'unconfigured_product' });
    const applied = await applyRewardToIssuance(h.sequelize, {
      issuanceId: uniqueId('iss'),
      beneficiaryId: referee.beneficiaryId,
      product: 'unconfigured_product',
      issuanceCreatedAt: new Date(),
      actor: 'test:apply',
    });
    if (applied.outcome !== 'applied') throw new Error('expected applied');
    const before = h.impact.fake.requests().length;
    const result = await (await startRedemption(h, applied.reward)).result();
    expect(result).toMatchObject({ status: 'disabled', error: { code: 'impact_product_not_configured' } });
    expect(h.impact.fake.requests().length).toBe(before);
  });
});

describe('redeemReward during a long outage', () => {
  const h = useWorkerHarness({ settings: { attemptsPerRun: 2 } });

  it('continues as new every few attempts (bounded history) and keeps counting attempts across runs', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    h.impact.fake.faults.failNext('redeemReward', 503, { times: 4 });

    const handle = await startRedemption(h, reward);
    const result = await handle.result();

    expect(result).toMatchObject({ status: 'succeeded', attempts: 5 });
    const { runId } = await handle.describe();
    expect(runId).not.toBe(handle.firstExecutionRunId);
    expect((await listDeliveryAttempts(h.sequelize, 'reward_redemption', reward.id)).map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(1);
  }, 30_000);
});

describe('redeemReward while Impact answers slower than the heartbeat timeout', () => {
  // The client waits long enough for the slow answer: only a missing heartbeat could cut the attempt.
  const h = useWorkerHarness({ settings: { deliveryHeartbeatTimeoutMs: 2_000 }, impactTimeoutMs: 20_000 });

  it('the attempt heartbeats while its redeem call is pending: scheduled with the configured heartbeat timeout, not timed out and retried, one redeem call', async () => {
    const reward = await appliedReward(h);
    const { impactRewardId } = await givenImpactParticipantWithReward(h, reward.beneficiaryId);
    // Twice the heartbeat timeout: without heartbeats Temporal would time the attempt out and run it again.
    h.impact.fake.faults.addLatency('redeemReward', 5_000, { times: 1 });

    const handle = await startRedemption(h, reward);
    const result = await handle.result();

    expect(result).toMatchObject({ status: 'succeeded', attempts: 1, details: { chosenImpactRewardId: impactRewardId, creditRedeemed: 24.5 } });
    expect(redeemCalls(h).filter((c) => c.requestId?.startsWith(`impact-advocate-reward-redemption:${reward.id}:`))).toHaveLength(1);
    expect(redemptionsOf(h, impactRewardId)).toHaveLength(1);
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    // Every delivery activity of the workflow carries the configured heartbeat timeout; none was retried.
    expect(scheduled.map((a) => [a.activityType?.name, Number(a.heartbeatTimeout?.seconds ?? 0)])).toEqual([
      ['openRewardRedemption', 2],
      ['attemptRewardRedemption', 2],
    ]);
    const started = events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : []));
    expect(started).toEqual([1, 1]);
  }, 30_000);
});
