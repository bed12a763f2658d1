import { getDelivery } from '@referrals/impact-sync';
import { applyRewardToIssuance, type Reward } from '@referrals/ledger';
import { type RegisterParticipantInput, startOptions, workflowTypes, type DeliveryResult } from '@referrals/workflows';
import { ApplicationFailure } from '@temporalio/activity';
import { grantKiloPassRewards, KILO_PASS, uniqueId, useWorkerHarness, type WorkerHarness } from './testing/worker-harness';

/**
 * Every Impact delivery ends in a state an operator can see and act on (issue 14, item 3): no
 * delivery retries for ever or stays `pending` under a workflow that failed.
 */
const MAX_AGE_MS = 2_000;
/** A user whose registration attempts throw a business error (fault injection on the real activity). */
const POISONED = 'poisoned-user';

const registration = (userId: string): RegisterParticipantInput => {
  const email = `${userId}@example.test`;
  return { programKey: KILO_PASS.programKey, product: KILO_PASS.product, userId, participant: { id: email, accountId: email, email, locale: 'en-US', cookies: '' } };
};
const register = (h: WorkerHarness, userId: string): Promise<DeliveryResult> =>
  h.client.workflow.execute(workflowTypes.participantRegistration, startOptions.participantRegistration(registration(userId), { taskQueue: h.taskQueue }));

async function appliedReward(h: WorkerHarness): Promise<Reward> {
  const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
  const applied = await applyRewardToIssuance(h.sequelize, { issuanceId: uniqueId('iss'), beneficiaryId: referee.beneficiaryId, product: KILO_PASS.product, issuanceCreatedAt: new Date(), actor: 'test:apply' });
  if (applied.outcome !== 'applied') throw new Error(`expected the reward to be applied, got ${applied.outcome}`);
  return applied.reward;
}
const redeem = (h: WorkerHarness, reward: Reward): Promise<DeliveryResult> =>
  h.client.workflow.execute(
    workflowTypes.rewardRedemption,
    startOptions.rewardRedemption({ rewardId: reward.id, programKey: reward.programKey, beneficiaryId: reward.beneficiaryId }, { taskQueue: h.taskQueue }),
  );

describe('every Impact delivery ends visibly: failed with its reason, never retrying for ever or left pending', () => {
  const h = useWorkerHarness({
    settings: { deliveryMaxAgeMs: MAX_AGE_MS },
    activityOverrides: (real) => ({
      attemptParticipantRegistration: async (input) => {
        if (input.registration.userId.startsWith(POISONED)) {
          throw ApplicationFailure.create({ type: 'input_invalid', message: 'recordDeliveryAttempt: requestId Too big', nonRetryable: true });
        }
        return real.attemptParticipantRegistration(input);
      },
    }),
  });
  afterEach(() => h.impact.fake.faults.clear());

  it('a registration Impact keeps refusing (503) ends failed max_age_exceeded after DELIVERY_MAX_AGE_MS, with the last error in words', async () => {
    h.impact.fake.faults.failNext('upsertParticipant', 503, { times: 10_000 });
    const userId = uniqueId('outage');
    const started = Date.now();
    const result = await register(h, userId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(MAX_AGE_MS - 200);
    expect(result).toMatchObject({ kind: 'participant_registration', status: 'failed', error: { code: 'max_age_exceeded' } });
    expect(result.error?.message).toMatch(/still not delivered .* days after it was queued; last error: /);
    expect(result.attempts).toBeGreaterThan(1);
    const delivery = await getDelivery(h.sequelize, 'participant_registration', `${KILO_PASS.programKey}:${userId}`);
    expect(delivery).toMatchObject({ status: 'failed', lastError: { code: 'max_age_exceeded' }, nextAttemptAt: null });
  });

  it("a redemption whose beneficiary's Advocate registration failed ends failed participant_unregistrable, without calling Impact", async () => {
    const reward = await appliedReward(h);
    h.impact.fake.faults.failNext('upsertParticipant', 400, { times: 1 });
    const registered = await register(h, reward.beneficiaryId);
    expect(registered.status).toBe('failed');
    const redeemCallsBefore = h.impact.fake.requests({ operation: 'redeemReward' }).length;
    const result = await redeem(h, reward);
    expect(result).toMatchObject({ kind: 'reward_redemption', status: 'failed', attempts: 1, error: { code: 'participant_unregistrable' } });
    expect(h.impact.fake.requests({ operation: 'redeemReward' })).toHaveLength(redeemCallsBefore);
  });

  it('a redemption whose beneficiary was never registered retries, then ends failed max_age_exceeded (not retrying for ever)', async () => {
    const reward = await appliedReward(h);
    const result = await redeem(h, reward);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'max_age_exceeded' } });
    expect(result.error?.message).toContain('participant_not_registered');
  });

  it('an attempt that throws a business error ends the delivery failed with that error: never left pending under a failed workflow', async () => {
    const userId = uniqueId(POISONED);
    const result = await register(h, userId);
    expect(result).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'input_invalid', message: expect.stringContaining('requestId Too big') } });
    const delivery = await getDelivery(h.sequelize, 'participant_registration', `${KILO_PASS.programKey}:${userId}`);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'input_invalid' } });
  });
});
