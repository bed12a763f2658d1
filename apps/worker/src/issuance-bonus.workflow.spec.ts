import { getDelivery } from '@referrals/impact-sync';
import { claimIssuanceBonusSlot, getIssuanceBonusItem, getIssuanceOutcome, getRewardHistory } from '@referrals/ledger';
import {
  issuanceBonusStateQuery,
  issuanceCreatedSignalWithStart,
  startOptions,
  usageThresholdCrossedSignalWithStart,
  visibilityQueryForReward,
  workflowIds,
  workflowTypes,
  type IssuanceBonusInput,
  type IssuanceBonusResult,
  type IssuanceFacts,
} from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import {
  eventually,
  expectLedgerSound,
  givenImpactParticipantWithReward,
  grantKiloPassRewards,
  KILO_PASS,
  monthlyIssuanceFacts,
  uniqueId,
  useWorkerHarness,
  type WorkerHarness,
} from './testing/worker-harness';

/** The product's welcome-promo launch cutoff, as the api stamps it on the facts. */
const CUTOFF = '2026-02-01T00:00:00.000Z';
const BEFORE_CUTOFF = new Date(Date.parse(CUTOFF) - 30 * 86_400_000).toISOString();
const AFTER_CUTOFF = new Date(Date.parse(CUTOFF) + 30 * 86_400_000).toISOString();

/** Facts of a first-time subscriber's first monthly issuance created now, its period ending in `periodMs`. */
function facts(overrides: Partial<IssuanceFacts> & { periodMs?: number } = {}): IssuanceFacts {
  return monthlyIssuanceFacts({ issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: AFTER_CUTOFF, welcomePromoLaunchCutoffAt: CUTOFF, ...overrides });
}

function ids(subscriberId: string): Omit<IssuanceBonusInput, 'facts'> {
  return { issuanceId: uniqueId('iss'), subscriberId, product: KILO_PASS.product, programKey: KILO_PASS.programKey };
}

function decide(h: WorkerHarness, input: IssuanceBonusInput): Promise<IssuanceBonusResult> {
  return h.client.workflow.execute(workflowTypes.issuanceBonus, startOptions.issuanceBonus(input, { taskQueue: h.taskQueue }));
}

function resultOf(h: WorkerHarness, issuanceId: string): Promise<IssuanceBonusResult> {
  return h.client.workflow.getHandle(workflowIds.issuanceBonus(issuanceId)).result();
}

async function bonusItems(h: WorkerHarness, issuanceId: string): Promise<string[]> {
  const rows = await h.sequelize.query<{ item_kind: string }>(
    `SELECT item_kind FROM ledger_issuance_items
      WHERE issuance_id = $1 AND item_kind IN ('bonus', 'promo_first_month_50pct', 'referral_bonus')`,
    { bind: [issuanceId], type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.item_kind);
}

const rewardStatus = async (h: WorkerHarness, rewardId: string) => (await getRewardHistory(h.sequelize, rewardId)).reward;

describe('decideIssuanceBonus', () => {
  const h = useWorkerHarness();
  // Every scenario touches the ledger: the books and the rewards must agree after each.
  afterEach(() => expectLedgerSound(h.sequelize));

  it("[123, 115] keeps the welcome promo on a first-time subscriber's welcome-month issuance (month 1, started before the cutoff) even with a pending referral reward, which stays pending", async () => {
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const input = { ...ids(referee.beneficiaryId), facts: facts({ issuanceNumber: 1, subscriberStartedAt: BEFORE_CUTOFF }) };

    const result = await decide(h, input);

    expect(result).toMatchObject({ decision: 'welcome_promo', item: { itemKind: 'promo_first_month_50pct', rewardId: null } });
    expect(result.reason).toContain('the welcome-month issuance never consumes a referral reward');
    expect(await bonusItems(h, input.issuanceId)).toEqual(['promo_first_month_50pct']);
    expect((await rewardStatus(h, referee.id)).status).toBe('pending');
    // The decision is recorded where the api reads it.
    expect(await getIssuanceOutcome(h.sequelize, input.issuanceId)).toMatchObject({
      status: 'decided',
      decision: 'welcome_promo',
      reason: result.reason,
      item: { itemKind: 'promo_first_month_50pct' },
      consumedReward: null,
      decidedBy: `workflow:${workflowIds.issuanceBonus(input.issuanceId)}`,
    });
    await expectLedgerSound(h.sequelize);
  });

  it("applies the oldest pending referral reward to the next issuance as referral_bonus and redeems it at Impact", async () => {
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const { impactRewardId } = await givenImpactParticipantWithReward(h, referee.beneficiaryId);
    // Started before the cutoff: month 2 is past the welcome month.
    const input = { ...ids(referee.beneficiaryId), facts: facts({ issuanceNumber: 2, subscriberStartedAt: BEFORE_CUTOFF }) };

    const result = await decide(h, input);

    expect(result).toMatchObject({
      decision: 'referral_bonus',
      item: { itemKind: 'referral_bonus', rewardId: referee.id },
      redemptionWorkflowId: workflowIds.rewardRedemption(referee.id),
    });
    expect(await rewardStatus(h, referee.id)).toMatchObject({ status: 'applied', consumedByIssuanceId: input.issuanceId });
    expect(await getIssuanceOutcome(h.sequelize, input.issuanceId)).toMatchObject({ decision: 'referral_bonus', consumedReward: { id: referee.id, status: 'applied' } });
    // The redemption was started as an abandoned child: it outlives the issuance workflow.
    const redemption = await h.client.workflow.getHandle(workflowIds.rewardRedemption(referee.id)).result();
    expect(redemption).toMatchObject({ status: 'succeeded', details: { chosenImpactRewardId: impactRewardId } });
    expect(h.impact.fake.redemptions().filter((r) => r.rewardId === impactRewardId)).toHaveLength(1);
    expect((await getDelivery(h.sequelize, 'reward_redemption', referee.id))?.status).toBe('succeeded');
    // The Temporal UI finds both workflows by the reward id.
    const found = await eventually(async () => {
      const listed: string[] = [];
      for await (const w of h.client.workflow.list({ query: visibilityQueryForReward(referee.id) })) listed.push(w.workflowId);
      return listed.length === 2 ? listed.sort() : undefined;
    }, 15_000, 'both workflows to be searchable by RewardId');
    expect(found).toEqual([workflowIds.issuanceBonus(input.issuanceId), workflowIds.rewardRedemption(referee.id)].sort());
    await expectLedgerSound(h.sequelize);
  }, 30_000);

  describe('usage threshold signalled concurrently with the issuance creation', () => {
    it('without a pending referral reward: exactly one item, the usage bonus', async () => {
      const work = ids(uniqueId('subscriber'));
      const issuance = facts({ issuanceNumber: 3 });
      await Promise.all([
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue })),
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, issuanceCreatedSignalWithStart(work, issuance, { taskQueue: h.taskQueue })),
      ]);
      expect(await resultOf(h, work.issuanceId)).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus' } });
      expect(await bonusItems(h, work.issuanceId)).toEqual(['bonus']);
    });

    it('with a pending referral reward: exactly one item, the referral_bonus', async () => {
      const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
      const work = ids(referee.beneficiaryId);
      await Promise.all([
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, issuanceCreatedSignalWithStart(work, facts({ issuanceNumber: 3 }), { taskQueue: h.taskQueue })),
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue })),
      ]);
      expect(await resultOf(h, work.issuanceId)).toMatchObject({ decision: 'referral_bonus', item: { rewardId: referee.id } });
      expect(await bonusItems(h, work.issuanceId)).toEqual(['referral_bonus']);
      await expectLedgerSound(h.sequelize);
    });

    it('on a first issuance: exactly one item, the welcome promo', async () => {
      const work = ids(uniqueId('subscriber'));
      await Promise.all([
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue })),
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, issuanceCreatedSignalWithStart(work, facts({ issuanceNumber: 1, subscriberStartedAt: BEFORE_CUTOFF }), { taskQueue: h.taskQueue })),
      ]);
      expect(await resultOf(h, work.issuanceId)).toMatchObject({ decision: 'welcome_promo', usageThresholdCrossedAt: expect.any(String) });
      expect(await bonusItems(h, work.issuanceId)).toEqual(['promo_first_month_50pct']);
    });
  });

  it('waits for the issuance facts when the usage signal started the workflow, then decides', async () => {
    const work = ids(uniqueId('subscriber'));
    const handle = await h.client.workflow.signalWithStart(
      workflowTypes.issuanceBonus,
      usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue }),
    );
    await eventually(async () => {
      const state = await handle.query(issuanceBonusStateQuery);
      return state.phase === 'waiting_for_facts' && state.usageThresholdCrossedAt !== null;
    }, 10_000, 'waiting_for_facts');
    await h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, issuanceCreatedSignalWithStart(work, facts({ issuanceNumber: 2, firstTimeSubscriber: false }), { taskQueue: h.taskQueue }));
    expect(await handle.result()).toMatchObject({ decision: 'usage_bonus' });
    expect(await bonusItems(h, work.issuanceId)).toEqual(['bonus']);
  });

  describe('a referral_bonus blocks the later usage bonus', () => {
    it('a usage signal after the referral_bonus decision changes nothing (the decision is final)', async () => {
      const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
      const work = ids(referee.beneficiaryId);
      expect(await decide(h, { ...work, facts: facts({ issuanceNumber: 4 }) })).toMatchObject({ decision: 'referral_bonus' });
      await expect(
        h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue })),
      ).rejects.toThrow(/already started/i);
      // And the slot itself refuses a usage bonus, whoever claims it.
      const claim = await claimIssuanceBonusSlot(h.sequelize, { issuanceId: work.issuanceId, itemKind: 'bonus', claimKey: uniqueId('claim'), actor: 'test', reason: 'usage' });
      expect(claim).toMatchObject({ outcome: 'slot_taken', heldBy: { itemKind: 'referral_bonus' } });
      expect(await bonusItems(h, work.issuanceId)).toEqual(['referral_bonus']);
    });

    it('a referral reward granted late (earned before the issuance) wins over the usage bonus when usage crosses', async () => {
      const subscriberId = uniqueId('referee');
      const issuance = facts({ issuanceNumber: 5 });
      const work = ids(subscriberId);
      const handle = await h.client.workflow.start(workflowTypes.issuanceBonus, startOptions.issuanceBonus({ ...work, facts: issuance }, { taskQueue: h.taskQueue }));
      await eventually(async () => (await handle.query(issuanceBonusStateQuery)).phase === 'waiting_for_usage', 10_000, 'waiting_for_usage');
      // The conversion happened before the issuance; its grant is booked only now.
      const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.parse(issuance.issuanceCreatedAt) - 1_000), refereeId: subscriberId });
      await h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue }));
      expect(await handle.result()).toMatchObject({ decision: 'referral_bonus', item: { rewardId: referee.id } });
      expect(await bonusItems(h, work.issuanceId)).toEqual(['referral_bonus']);
      await expectLedgerSound(h.sequelize);
    });
  });

  // Replaces "the legacy month-2 promo", which had rule 132 inverted (started before the cutoff:
  // months 1 and 2; at or after it: month 1).
  describe('[132] the welcome month by the launch cutoff', () => {
    it('started at or after the cutoff: month 2 gets the welcome promo and a pending referral reward stays pending [123]', async () => {
      const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
      const input = { ...ids(referee.beneficiaryId), facts: facts({ issuanceNumber: 2, subscriberStartedAt: AFTER_CUTOFF }) };
      expect(await decide(h, input)).toMatchObject({ decision: 'welcome_promo', item: { itemKind: 'promo_first_month_50pct' } });
      expect(await bonusItems(h, input.issuanceId)).toEqual(['promo_first_month_50pct']);
      expect((await rewardStatus(h, referee.id)).status).toBe('pending');
    });

    it('started before the cutoff: month 2 has no promo; without usage the period ends with no item', async () => {
      const input = { ...ids(uniqueId('subscriber')), facts: facts({ issuanceNumber: 2, subscriberStartedAt: BEFORE_CUTOFF, periodMs: 1_500 }) };
      const decided = await decide(h, input);
      expect(decided).toMatchObject({ decision: 'none', item: null });
      expect(decided.reason).toContain('issuance 2 is not the welcome month, which is month 1');
      expect(await bonusItems(h, input.issuanceId)).toEqual([]);
    });

    it('[131, 107] an annual or a canceling subscription\'s issuance leaves the pending referral reward pending', async () => {
      const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
      for (const blocked of [{ interval: 'year' as const }, { subscriptionStatus: 'canceling' as const }]) {
        const input = { ...ids(referee.beneficiaryId), facts: facts({ issuanceNumber: 3, firstTimeSubscriber: false, periodMs: 1_000, ...blocked }) };
        expect(await decide(h, input)).toMatchObject({ decision: 'none', item: null });
        expect((await rewardStatus(h, referee.id)).status).toBe('pending');
      }
    });
  });

  it('grants the usage bonus when the threshold is crossed within the period and the slot is free', async () => {
    const work = ids(uniqueId('subscriber'));
    const handle = await h.client.workflow.start(
      workflowTypes.issuanceBonus,
      startOptions.issuanceBonus({ ...work, facts: facts({ issuanceNumber: 2, firstTimeSubscriber: false }) }, { taskQueue: h.taskQueue }),
    );
    await eventually(async () => (await handle.query(issuanceBonusStateQuery)).phase === 'waiting_for_usage', 10_000, 'waiting_for_usage');
    await handle.signal('usageThresholdCrossed', { crossedAt: new Date().toISOString() });
    expect(await handle.result()).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus' } });
    expect(await getIssuanceBonusItem(h.sequelize, work.issuanceId)).toMatchObject({ itemKind: 'bonus', claimKey: `${workflowIds.issuanceBonus(work.issuanceId)}:bonus` });
  });

  it('starting the same issuance workflow twice is a no-op', async () => {
    const input = { ...ids(uniqueId('subscriber')), facts: facts({ issuanceNumber: 3, periodMs: 2_000 }) };
    const options = startOptions.issuanceBonus(input, { taskQueue: h.taskQueue });
    const first = await h.client.workflow.start(workflowTypes.issuanceBonus, options);
    const second = await h.client.workflow.start(workflowTypes.issuanceBonus, options);
    expect(second.firstExecutionRunId).toBe(first.firstExecutionRunId);
    expect(await first.result()).toMatchObject({ decision: 'none' });
    await expect(h.client.workflow.start(workflowTypes.issuanceBonus, options)).rejects.toThrow(/already started/i);
  });
});
