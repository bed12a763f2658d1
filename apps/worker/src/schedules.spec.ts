import { getDelivery } from '@referrals/impact-sync';
import { applyRewardToIssuance, getRewardHistory, lastLedgerVerification } from '@referrals/ledger';
import { scheduleIds } from '@referrals/workflows';
import { ensureSchedules } from './schedules';
import {
  eventually,
  expectLedgerSound,
  givenImpactParticipantWithReward,
  grantKiloPassRewards,
  KILO_PASS,
  uniqueId,
  useWorkerHarness,
} from './testing/worker-harness';

const HOUR_MS = 3_600_000;

describe('worker schedules', () => {
  const h = useWorkerHarness();
  // Every scenario touches the ledger: the books and the rewards must agree after each.
  afterEach(() => expectLedgerSound(h.sequelize));
  const idPrefix = `${uniqueId('test')}-`;
  const intervals = { expireRewardsMs: 60 * 60_000, backfillRedemptionsMs: 60 * 60_000, verifyLedgerMs: 60 * 60_000, purgeTouchesMs: 60 * 60_000 };

  afterAll(async () => {
    for (const id of Object.values(scheduleIds)) await h.client.schedule.getHandle(`${idPrefix}${id}`).delete().catch(() => undefined);
  });

  it('are created at boot and updated in place on the next boot (idempotent)', async () => {
    const first = await ensureSchedules(h.client, { taskQueue: h.taskQueue, intervals, idPrefix });
    expect(first.map((s) => s.action)).toEqual(['created', 'created', 'created', 'created']);
    const second = await ensureSchedules(h.client, { taskQueue: h.taskQueue, intervals: { ...intervals, expireRewardsMs: 30 * 60_000 }, idPrefix });
    expect(second).toEqual([
      { scheduleId: `${idPrefix}expire-rewards`, action: 'updated' },
      { scheduleId: `${idPrefix}backfill-redemptions`, action: 'updated' },
      { scheduleId: `${idPrefix}verify-ledger`, action: 'updated' },
      { scheduleId: `${idPrefix}purge-touches`, action: 'updated' },
    ]);
    const described = await h.client.schedule.getHandle(`${idPrefix}expire-rewards`).describe();
    expect(described.spec.intervals).toEqual([expect.objectContaining({ every: 30 * 60_000 })]);
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'expireRewards', taskQueue: h.taskQueue });
  });

  it('expire pending rewards past their expiry, in batches, and leave the others pending', async () => {
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, intervals, idPrefix });
    const earnedAt = new Date(Date.now() - 3 * HOUR_MS);
    // Three conversions, six rewards past their expiry (three batches of two), and one fresh conversion.
    const expiring = [];
    for (let i = 0; i < 3; i++) {
      const { referrer, referee } = await grantKiloPassRewards(h.sequelize, { earnedAt, expiresAt: new Date(Date.now() - HOUR_MS) });
      expiring.push(referrer, referee);
    }
    const fresh = (await grantKiloPassRewards(h.sequelize, { earnedAt })).referee;

    await h.client.schedule.getHandle(`${idPrefix}expire-rewards`).trigger();

    for (const reward of expiring) {
      await eventually(async () => (await getRewardHistory(h.sequelize, reward.id)).reward.status === 'expired', 15_000, `reward ${reward.id} to expire`);
    }
    expect((await getRewardHistory(h.sequelize, fresh.id)).reward.status).toBe('pending');
    await expectLedgerSound(h.sequelize);
  }, 30_000);

  it('backfill the redemption of an applied reward that has none, once', async () => {
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, intervals, idPrefix });
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const applied = await applyRewardToIssuance(h.sequelize, {
      issuanceId: uniqueId('iss'),
      beneficiaryId: referee.beneficiaryId,
      product: KILO_PASS.product,
      issuanceCreatedAt: new Date(),
      actor: 'test:apply-without-workflow',
    });
    expect(applied.outcome).toBe('applied');
    const { impactRewardId } = await givenImpactParticipantWithReward(h, referee.beneficiaryId);
    const backfill = h.client.schedule.getHandle(`${idPrefix}backfill-redemptions`);

    await backfill.trigger();
    await eventually(async () => (await getDelivery(h.sequelize, 'reward_redemption', referee.id))?.status === 'succeeded', 15_000, 'the backfilled redemption');
    // A second run finds nothing missing: the reward is not redeemed twice.
    await backfill.trigger();
    await eventually(async () => (await backfill.describe()).info.recentActions.length >= 2, 15_000, 'the second backfill run');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.impact.fake.redemptions().filter((r) => r.rewardId === impactRewardId)).toHaveLength(1);
  }, 30_000);

  it('verify the ledger on a schedule and record the result the api reads (ops, /metrics)', async () => {
    await ensureSchedules(h.client, { taskQueue: h.taskQueue, intervals, idPrefix });
    await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const before = await lastLedgerVerification(h.sequelize);
    await h.client.schedule.getHandle(`${idPrefix}verify-ledger`).trigger();
    const recorded = await eventually(async () => {
      const last = await lastLedgerVerification(h.sequelize);
      return last !== null && last.id !== before?.id ? last : undefined;
    }, 15_000, 'a recorded ledger verification');
    expect(recorded).toMatchObject({ violationCount: 0, violations: [] });
  }, 30_000);
});
