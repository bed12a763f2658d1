import { type ReferralCodeRegistry } from '@referrals/attribution';
import { useTestDatabase } from '@referrals/db/testing';
import { type ImpactTestHarness, startImpactTestHarness } from '@referrals/impact-client/testing';
import { deliveryBusinessIds, getDelivery, getParticipantRegistration, listDeliveryAttempts, recordParticipantRegistration, saveParticipantRequest } from '@referrals/impact-sync';
import { getIssuanceBonusItem, verifyLedger } from '@referrals/ledger';
import { type ReportConversionInput, type WorkerActivities } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import {
  grantKiloPassRewards,
  KILO_PASS,
  referralCodesOf,
  saveKiloPassProgram,
  testSettings,
  uniqueId,
  workerTestMigrations,
} from '../testing/worker-harness';
import { type ActivityDeps, createActivities } from './index';

/**
 * The activities called directly (no Temporal): each one, called twice with the same input,
 * writes nothing new and sends nothing new, and answers the same.
 */
describe('createActivities', () => {
  const db = useTestDatabase(workerTestMigrations);
  let impact: ImpactTestHarness;
  let activities: WorkerActivities;
  let deps: ActivityDeps;
  const attempt = (n: number) => ({ attempt: n, retryDelayMs: 100 });

  beforeAll(async () => {
    impact = await startImpactTestHarness();
    await saveKiloPassProgram(db.sequelize);
    deps = {
      sequelize: db.sequelize,
      impact: impact.client,
      referralCodes: referralCodesOf(db.sequelize),
      settings: testSettings,
      polling: { maxPolls: 2, pollIntervalMs: 10 },
      clock: () => new Date(),
    };
    activities = createActivities(deps);
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
    const credit = impact.fake.addReward({ tenantAlias: KILO_PASS.tenantAlias, accountId: participantId, userId: participantId, amount: 24.5, unit: 'USD', programId: KILO_PASS.programId });
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
      expect(await count('SELECT count(*)::int AS n FROM impact_sync_deliveries WHERE business_id = $1', [deliveryBusinessIds.sale({ ...input, sourceId: input.sourcePaymentId })])).toBe(2);
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

  it('[52] a registration whose input names only the user sends the participant request stored with it (email, cookie)', async () => {
    const userId = uniqueId('referee');
    const email = `${userId}@example.test`;
    const cookie = `opaque-cookie-${userId}`;
    await db.sequelize.transaction((t) =>
      saveParticipantRequest(db.sequelize, t, {
        programKey: KILO_PASS.programKey,
        userId,
        product: KILO_PASS.product,
        details: { id: email, accountId: email, email, cookies: cookie },
        now: new Date(),
      }),
    );
    const registration = { programKey: KILO_PASS.programKey, product: KILO_PASS.product, userId };
    await activities.openParticipantRegistration({ registration, workflowId: 'wf' });
    expect(await activities.attemptParticipantRegistration({ ...attempt(1), registration })).toMatchObject({ state: 'ended', result: { status: 'succeeded' } });
    expect(impact.fake.participants().find((p) => p.id === email)).toMatchObject({ email, cookies: cookie });
  });

  it('a registration with neither a stored request nor an inline participant fails for good, naming why', async () => {
    const registration = { programKey: KILO_PASS.programKey, product: KILO_PASS.product, userId: uniqueId('nobody') };
    await activities.openParticipantRegistration({ registration, workflowId: 'wf' });
    expect(await activities.attemptParticipantRegistration({ ...attempt(1), registration })).toMatchObject({
      state: 'ended',
      result: { status: 'failed', error: { code: 'participant_request_missing' } },
    });
  });

  describe('registration feeds attribution', () => {
    const registrationOf = (userId: string) => ({
      programKey: KILO_PASS.programKey,
      product: KILO_PASS.product,
      userId,
      participant: { id: `${userId}@example.test`, accountId: `${userId}@example.test`, firstName: 'Ada' },
    });
    /** Who owns each code of the program, as attribution stores them. */
    const codeOwners = async (codes: string[]) =>
      db.sequelize.query<{ code: string; user_id: string }>(
        'SELECT code, user_id FROM attribution_referral_codes WHERE program_key = $1 AND code = ANY($2::text[]) ORDER BY code',
        { bind: [KILO_PASS.programKey, codes], type: QueryTypes.SELECT },
      );

    it('registers the referral code Impact returned as the user\'s code in attribution', async () => {
      const registration = registrationOf(uniqueId('referrer'));
      await activities.openParticipantRegistration({ registration, workflowId: 'wf' });
      const result = await activities.attemptParticipantRegistration({ ...attempt(1), registration });
      const code = (await getParticipantRegistration(db.sequelize, KILO_PASS.programKey, registration.userId))?.referralCode;
      expect(code).toEqual(expect.any(String));
      expect(result).toMatchObject({ state: 'ended', result: { status: 'succeeded', details: { referralCode: code } } });
      expect(await codeOwners([code as string])).toEqual([{ code, user_id: registration.userId }]);
    });

    it('an attempt retried after the code was registered (the activity died before recording the end) succeeds with the same code', async () => {
      const registration = registrationOf(uniqueId('referrer'));
      let calls = 0;
      const dyingOnce: Pick<ReferralCodeRegistry, 'registerReferralCode'> = {
        async registerReferralCode(input) {
          calls += 1;
          const stored = await deps.referralCodes.registerReferralCode(input);
          if (calls === 1) throw new Error('connection terminated unexpectedly'); // after the insert: only the answer is lost
          return stored;
        },
      };
      const flaky = createActivities({ ...deps, referralCodes: dyingOnce });
      await flaky.openParticipantRegistration({ registration, workflowId: 'wf' });
      await expect(flaky.attemptParticipantRegistration({ ...attempt(1), registration })).rejects.toThrow('connection terminated unexpectedly');
      const businessId = deliveryBusinessIds.participantRegistration(registration.programKey, registration.userId);
      expect(await getDelivery(db.sequelize, 'participant_registration', businessId)).toMatchObject({ status: 'pending', attempts: 0 });

      // Temporal retries the same attempt: Impact's upsert and attribution's registration both replay.
      const retried = await flaky.attemptParticipantRegistration({ ...attempt(1), registration });
      const code = (await getParticipantRegistration(db.sequelize, KILO_PASS.programKey, registration.userId))?.referralCode as string;
      expect(retried).toMatchObject({ state: 'ended', result: { status: 'succeeded', attempts: 1, details: { referralCode: code } } });
      expect(calls).toBe(2);
      expect(await codeOwners([code])).toEqual([{ code, user_id: registration.userId }]);
    });

    it('a code another user already owns in the program fails the delivery for good (recorded, no retry loop) and keeps the owner', async () => {
      const registration = registrationOf(uniqueId('referrer'));
      // Impact's code for this participant is known before the activity runs (the upsert is idempotent and keeps codes).
      const known = await impact.client.forProduct(KILO_PASS.product).advocate.upsertParticipant(registration.participant);
      const code = known.kind === 'ok' ? known.value.referralCode : null;
      if (code === null) throw new Error(`the fake returned no code: ${JSON.stringify(known)}`);
      await deps.referralCodes.registerReferralCode({ programKey: KILO_PASS.programKey, code, userId: 'native-owner' });

      await activities.openParticipantRegistration({ registration, workflowId: 'wf' });
      const first = await activities.attemptParticipantRegistration({ ...attempt(1), registration });
      expect(first).toMatchObject({
        state: 'ended',
        result: { status: 'failed', attempts: 1, error: { code: 'referral_code_taken', message: expect.stringContaining(code), httpStatus: null } },
      });
      // A later attempt (or a re-run workflow) answers the recorded failure without calling anyone.
      const upserts = impact.fake.requests({ operation: 'upsertParticipant' }).length;
      expect(await activities.attemptParticipantRegistration({ ...attempt(2), registration })).toEqual(first);
      expect(impact.fake.requests({ operation: 'upsertParticipant' })).toHaveLength(upserts);
      expect(await codeOwners([code])).toEqual([{ code, user_id: 'native-owner' }]);
      // The Impact side is kept: the participant ids serve redemptions.
      expect(await getParticipantRegistration(db.sequelize, KILO_PASS.programKey, registration.userId)).toMatchObject({ participantId: registration.participant.id });
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
      expect(await activities.expireRewardBatch({ batchSize: 100 })).toEqual({ expired: 0, rewardIds: [], hasMore: false });
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
