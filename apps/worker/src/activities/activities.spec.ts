import { dbMigrations } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import { type ImpactTestHarness, startImpactTestHarness } from '@referrals/impact-client/testing';
import { deliveryBusinessIds, getDelivery, impactSyncMigrations, listDeliveryAttempts, recordParticipantRegistration } from '@referrals/impact-sync';
import { getIssuanceBonusItem, ledgerMigrations, verifyLedger } from '@referrals/ledger';
import { type ReportConversionInput, type WorkerActivities } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { grantKiloPassRewards, KILO_PASS, testSettings, uniqueId } from '../testing/worker-harness';
import { createActivities } from './index';

/**
 * The activities called directly (no Temporal): each one, called twice with the same input,
 * writes nothing new and sends nothing new, and answers the same.
 */
describe('createActivities', () => {
  const db = useTestDatabase([dbMigrations, ledgerMigrations, impactSyncMigrations]);
  let impact: ImpactTestHarness;
  let activities: WorkerActivities;
  const attempt = (n: number) => ({ attempt: n, retryDelayMs: 100 });

  beforeAll(async () => {
    impact = await startImpactTestHarness();
    activities = createActivities({
      sequelize: db.sequelize,
      impact: impact.client,
      settings: testSettings,
      polling: { maxPolls: 2, pollIntervalMs: 10 },
      clock: () => new Date(),
    });
  });
  afterAll(() => impact.close());
  afterEach(async () => {
    impact.fake.faults.clear();
    expect(await verifyLedger(db.sequelize)).toEqual([]);
  });

  const count = async (sql: string, bind: unknown[]) =>
    ((await db.sequelize.query<{ n: number }>(sql, { bind, type: QueryTypes.SELECT }))[0]?.n ?? -1) as number;

  async function appliedRewardWithImpactCredit() {
    const { referee } = await grantKiloPassRewards(db.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const input = {
      issuanceId: uniqueId('iss'),
      beneficiaryId: referee.beneficiaryId,
      product: KILO_PASS.product,
      issuanceCreatedAt: new Date().toISOString(),
      actor: 'test:activities',
    };
    const applied = await activities.applyReferralReward(input);
    const participantId = `${referee.beneficiaryId}@example.test`;
    await recordParticipantRegistration(db.sequelize, {
      programKey: KILO_PASS.programKey,
      userId: referee.beneficiaryId,
      product: KILO_PASS.product,
      participantId,
      accountId: participantId,
      referralCode: null,
    });
    const credit = impact.fake.addReward({ tenantAlias: KILO_PASS.tenantAlias, accountId: participantId, userId: participantId, amount: 24.5, unit: 'USD' });
    return { referee, input, applied, impactRewardId: credit.id };
  }

  describe('applyReferralReward', () => {
    it('applies the reward and takes the slot in one transaction; a second call replays it', async () => {
      const { referee, input, applied } = await appliedRewardWithImpactCredit();
      const again = await activities.applyReferralReward(input);
      expect(applied).toMatchObject({ outcome: 'applied', replayed: false, reward: { rewardId: referee.id }, item: { itemKind: 'referral_bonus' } });
      expect(again).toMatchObject({ outcome: 'applied', replayed: true, reward: { rewardId: referee.id } });
      expect(await count('SELECT count(*)::int AS n FROM ledger_issuance_items WHERE issuance_id = $1', [input.issuanceId])).toBe(1);
    });
  });

  describe('claimIssuanceBonus', () => {
    it('claims the slot once; the same claim again is a replay, another kind finds the slot taken', async () => {
      const issuanceId = uniqueId('iss');
      const claim = { issuanceId, itemKind: 'bonus' as const, claimKey: `issuance-bonus-${issuanceId}:bonus`, actor: 'test', reason: 'usage' };
      expect(await activities.claimIssuanceBonus(claim)).toMatchObject({ outcome: 'claimed', replayed: false });
      expect(await activities.claimIssuanceBonus(claim)).toMatchObject({ outcome: 'claimed', replayed: true });
      expect(
        await activities.claimIssuanceBonus({ ...claim, itemKind: 'promo_first_month_50pct', claimKey: `issuance-bonus-${issuanceId}:promo` }),
      ).toMatchObject({ outcome: 'slot_taken', heldBy: { itemKind: 'bonus' } });
      expect(await getIssuanceBonusItem(db.sequelize, issuanceId)).toMatchObject({ itemKind: 'bonus' });
    });
  });

  describe('redemption activities', () => {
    it('open twice records one delivery; an attempt repeated after success sends nothing', async () => {
      const { referee, impactRewardId } = await appliedRewardWithImpactCredit();
      const open = { rewardId: referee.id, workflowId: `reward-redemption-${referee.id}` };
      expect(await activities.openRewardRedemption(open)).toEqual(await activities.openRewardRedemption(open));
      const first = await activities.attemptRewardRedemption({ ...attempt(1), rewardId: referee.id });
      const second = await activities.attemptRewardRedemption({ ...attempt(1), rewardId: referee.id });
      expect(first).toMatchObject({ state: 'ended', result: { status: 'succeeded' } });
      expect(second).toEqual(first);
      expect(impact.fake.redemptions().filter((r) => r.rewardId === impactRewardId)).toHaveLength(1);
      expect(await listDeliveryAttempts(db.sequelize, 'reward_redemption', referee.id)).toHaveLength(1);
      expect(await activities.openRewardRedemption(open)).toMatchObject({ state: 'ended', result: { status: 'succeeded' } });
    });

    it('a lost answer is retried into "already redeemed" of the reward chosen before: success, one redemption', async () => {
      const { referee, impactRewardId } = await appliedRewardWithImpactCredit();
      await activities.openRewardRedemption({ rewardId: referee.id, workflowId: 'wf' });
      impact.fake.faults.resetConnections('redeemReward', { when: 'after' });
      const lost = await activities.attemptRewardRedemption({ ...attempt(1), rewardId: referee.id });
      expect(lost).toMatchObject({ state: 'retrying', progress: { status: 'retrying', lastError: { code: 'network_error' } } });
      expect((await getDelivery(db.sequelize, 'reward_redemption', referee.id))?.chosenImpactRewardId).toBe(impactRewardId);
      const retried = await activities.attemptRewardRedemption({ ...attempt(2), rewardId: referee.id });
      expect(retried).toMatchObject({ state: 'ended', result: { status: 'succeeded', details: { alreadyRedeemed: true } } });
      expect(impact.fake.redemptions().filter((r) => r.rewardId === impactRewardId)).toHaveLength(1);
    });

    it('treats "already redeemed" of a reward it never chose as a permanent failure', async () => {
      const { referee } = await appliedRewardWithImpactCredit();
      await activities.openRewardRedemption({ rewardId: referee.id, workflowId: 'wf' });
      impact.fake.faults.add({ kind: 'already_redeemed', times: 1 });
      const result = await activities.attemptRewardRedemption({ ...attempt(1), rewardId: referee.id });
      expect(result).toMatchObject({ state: 'ended', result: { status: 'failed', error: { code: 'reward_already_redeemed' } } });
    });

    it('waits at least as long as Impact asks (Retry-After) before the next attempt', async () => {
      const { referee } = await appliedRewardWithImpactCredit();
      await activities.openRewardRedemption({ rewardId: referee.id, workflowId: 'wf' });
      impact.fake.faults.rateLimit('redeemReward', { times: 1, retryAfterSeconds: 3 });
      const result = await activities.attemptRewardRedemption({ ...attempt(1), rewardId: referee.id });
      expect(result).toMatchObject({ state: 'retrying', retryInMs: 3_000, progress: { lastError: { code: 'rate_limited', httpStatus: 429 } } });
    });

    it('fails an unknown reward with a stable non-retryable code', async () => {
      await expect(activities.openRewardRedemption({ rewardId: '999999999', workflowId: 'wf' })).rejects.toMatchObject({
        type: 'reward_not_found',
        nonRetryable: true,
      });
      await expect(activities.attemptRewardRedemption({ ...attempt(1), rewardId: '999999998' })).rejects.toMatchObject({
        type: 'delivery_not_found',
        nonRetryable: true,
      });
    });
  });

  describe('conversion and registration activities', () => {
    const report = (): ReportConversionInput => ({
      conversionId: uniqueId('conv'),
      product: KILO_PASS.product,
      provider: 'stripe',
      sourcePaymentId: uniqueId('in'),
      userId: uniqueId('user'),
      occurredAt: new Date().toISOString(),
      amountMinor: 4900,
      currency: 'USD',
      attribution: { winner: 'referral' },
    });

    it('open twice records the SALE once and the suppressed affiliate SALE once; a repeated attempt submits once', async () => {
      const input = report();
      const first = await activities.openConversionReport({ report: input, workflowId: 'wf' });
      expect(await activities.openConversionReport({ report: input, workflowId: 'wf' })).toEqual(first);
      await activities.attemptConversionReport({ ...attempt(1), report: input });
      await activities.attemptConversionReport({ ...attempt(1), report: input });
      const submissions = impact.fake.requests({ operation: 'submitConversion' }).filter((r) => (r.body as Record<string, unknown>)['OrderId'] === input.sourcePaymentId);
      expect(submissions).toHaveLength(1);
      expect(await count('SELECT count(*)::int AS n FROM impact_sync_deliveries WHERE business_id = $1', [deliveryBusinessIds.sale(input)])).toBe(2);
    });

    it('registration attempted twice registers once and keeps the referral code', async () => {
      const userId = uniqueId('user');
      const registration = {
        programKey: KILO_PASS.programKey,
        product: KILO_PASS.product,
        userId,
        participant: { id: `${userId}@example.test`, accountId: `${userId}@example.test` },
      };
      await activities.openParticipantRegistration({ registration, workflowId: 'wf' });
      const first = await activities.attemptParticipantRegistration({ ...attempt(1), registration });
      const second = await activities.attemptParticipantRegistration({ ...attempt(2), registration });
      expect(second).toEqual(first);
      expect(impact.fake.requests({ operation: 'upsertParticipant' }).filter((r) => r.path.includes(encodeURIComponent(`${userId}@`)))).toHaveLength(1);
    });
  });

  describe('maintenance activities', () => {
    it('expiring twice expires nothing the second time', async () => {
      await grantKiloPassRewards(db.sequelize, {
        earnedAt: new Date(Date.now() - 7_200_000),
        outcomes: ['referrer', 'referee'].map((role) => ({
          role: role as 'referrer' | 'referee',
          decision: 'grant' as const,
          kind: 'fixed' as const,
          amountMinor: 100,
          unit: 'USD',
          initialStatus: 'pending' as const,
          expiresAt: new Date(Date.now() - 3_600_000),
          reason: 'test',
        })),
      });
      const first = await activities.expireRewardBatch({ batchSize: 100 });
      expect(first.expired).toBeGreaterThanOrEqual(2);
      expect(await activities.expireRewardBatch({ batchSize: 100 })).toEqual({ expired: 0, hasMore: false });
    });

    it('finds applied rewards without a redemption delivery, and no longer once it is opened', async () => {
      const { referee } = await appliedRewardWithImpactCredit();
      const missing = await activities.findRewardsWithoutRedemption({ limit: 1_000 });
      expect(missing.map((r) => r.rewardId)).toContain(referee.id);
      await activities.openRewardRedemption({ rewardId: referee.id, workflowId: 'wf' });
      expect((await activities.findRewardsWithoutRedemption({ limit: 1_000 })).map((r) => r.rewardId)).not.toContain(referee.id);
    });
  });
});
