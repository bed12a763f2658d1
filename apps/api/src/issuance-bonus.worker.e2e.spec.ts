import { eventually } from '@referrals/db/testing';
import { verifyLedger } from '@referrals/ledger';
import { outboxMessagesOf } from '@referrals/outbox';
import { type DeliveryResult, type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { kiloIssuance, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

/**
 * Acceptance 4 end to end: welcome-bonus exclusivity with both billing events over the api
 * (`issuance-created` and `usage-threshold-crossed`, sent at the same time), the real worker
 * process deciding, PostgreSQL holding the issuance's items. Each issuance ends with exactly one
 * bonus-like item: the usage bonus when no referral reward waits, the referral bonus when one does
 * (which also blocks a usage bonus signalled later).
 */
describe('Welcome-bonus exclusivity end to end with the worker (acceptance 4)', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;

  /** Every item on the issuance, straight from the ledger (the api exposes only the deciding workflow's result). */
  const itemsOf = (issuanceId: string) =>
    api.db.sequelize.query<{ item_kind: string; reward_id: string | null }>(
      'SELECT item_kind, reward_id::text AS reward_id FROM ledger_issuance_items WHERE issuance_id = :issuanceId ORDER BY id',
      { replacements: { issuanceId }, type: QueryTypes.SELECT },
    );

  /**
   * What the worker's outbox relay got from Temporal for the latest `signal` queued to the
   * issuance's workflow: signaled (delivered, the workflow started when needed) or
   * already_finished (the issuance was decided; nothing changed).
   */
  const relayedSignal = (issuanceId: string, signal: string) =>
    eventually(
      async () => {
        const rows = (await outboxMessagesOf(api.db.sequelize, workflowIds.issuanceBonus(issuanceId))).filter((r) => (r.options as { signal?: string }).signal === signal);
        return rows.at(-1)?.outcome ?? undefined;
      },
      30_000,
      `the ${signal} signal of ${issuanceId} relayed`,
    );

  /** Both billing events of one issuance at once, in the given order of sending. */
  async function concurrently(issuanceId: string, subscriberId: string, usageFirst: boolean) {
    const created = () => api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriberId));
    const usage = () =>
      api.post('/v1/events/usage-threshold-crossed', 'billing', {
        issuanceId,
        subscriberId,
        product: 'kilo_pass',
        crossedAt: new Date(Date.now() + 2_000).toISOString(),
      });
    const [createdAnswer, usageAnswer] = usageFirst
      ? await Promise.all([usage(), created()]).then(([u, c]) => [c, u] as const)
      : await Promise.all([created(), usage()]);
    expect(createdAnswer.status).toBe(202);
    expect(createdAnswer.body).toMatchObject({ issuanceId, workflowId: workflowIds.issuanceBonus(issuanceId), outcome: 'queued' });
    expect(usageAnswer.status).toBe(202);
    expect(usageAnswer.body).toMatchObject({ issuanceId, workflowId: workflowIds.issuanceBonus(issuanceId), outcome: 'queued' });
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    return { decided, usageOutcome: await relayedSignal(issuanceId, 'usageThresholdCrossed') };
  }

  const usageLater = (issuanceId: string, subscriberId: string) =>
    api
      .post('/v1/events/usage-threshold-crossed', 'billing', { issuanceId, subscriberId, product: 'kilo_pass', crossedAt: new Date(Date.now() + 3_000).toISOString() })
      .expect(202);

  afterEach(async () => {
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('acceptance 4: without a pending referral reward, issuance and usage signalled concurrently grant exactly one usage bonus', async () => {
    for (const [n, usageFirst] of [
      [1, false],
      [2, true],
      [3, false],
      [4, true],
    ] as const) {
      const subscriber = e2e.id(`plain-${n}`);
      const issuanceId = e2e.id(`plain-iss-${n}`);
      const { decided, usageOutcome } = await concurrently(issuanceId, subscriber, usageFirst);
      // The decision needs the usage signal: it was delivered, never refused.
      expect(usageOutcome).toBe('signaled');
      expect(decided).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus', rewardId: null }, redemptionWorkflowId: null });
      expect(decided.usageThresholdCrossedAt).toEqual(expect.any(String));
      expect(await itemsOf(issuanceId)).toEqual([{ item_kind: 'bonus', reward_id: null }]);

      // Signalled again (the billing system's retry): nothing changes.
      expect((await usageLater(issuanceId, subscriber)).body).toMatchObject({ outcome: 'queued' });
      expect(await relayedSignal(issuanceId, 'usageThresholdCrossed')).toBe('already_finished');
      expect(await itemsOf(issuanceId)).toHaveLength(1);
    }
  }, 90_000);

  it('acceptance 4: with a pending referral reward, issuance and usage signalled concurrently apply exactly one referral_bonus and no usage bonus', async () => {
    for (const [name, usageFirst] of [
      ['race-a', true],
      ['race-b', false],
    ] as const) {
      const { referee, refereeReward } = await referredKiloPassSubscriber(e2e, name);
      const issuanceId = e2e.id(`${name}-iss`);
      // The referral bonus needs no usage: the usage signal may also come after the decision.
      const { decided, usageOutcome } = await concurrently(issuanceId, referee, usageFirst);
      expect(['signaled', 'already_finished']).toContain(usageOutcome);
      expect(decided).toMatchObject({ decision: 'referral_bonus', item: { itemKind: 'referral_bonus', rewardId: refereeReward.id } });
      expect(await itemsOf(issuanceId)).toEqual([{ item_kind: 'referral_bonus', reward_id: refereeReward.id }]);
      const reward = await api.get(`/v1/admin/rewards/${refereeReward.id}`, 'admin').expect(200);
      expect(reward.body.reward).toMatchObject({ status: 'applied', consumedByIssuanceId: issuanceId });

      // The applied reward is redeemed in Impact, once.
      const redeemed = await e2e.result<DeliveryResult>(decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(refereeReward.id));
      expect(redeemed).toMatchObject({ kind: 'reward_redemption', businessId: refereeReward.id, status: 'succeeded' });
    }
  }, 120_000);

  it('acceptance 4: a referral_bonus blocks the usage bonus signalled after it', async () => {
    const { referee, refereeReward } = await referredKiloPassSubscriber(e2e, 'blocks');
    const issuanceId = e2e.id('blocks-iss');
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, referee)).expect(202);
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    expect(decided).toMatchObject({ decision: 'referral_bonus', item: { itemKind: 'referral_bonus', rewardId: refereeReward.id }, usageThresholdCrossedAt: null });

    const later = await usageLater(issuanceId, referee);
    expect(later.body).toMatchObject({ issuanceId, outcome: 'queued' });
    expect(await relayedSignal(issuanceId, 'usageThresholdCrossed')).toBe('already_finished');
    expect(await itemsOf(issuanceId)).toEqual([{ item_kind: 'referral_bonus', reward_id: refereeReward.id }]);
    const summary = await api.get(`/v1/users/${referee}/summary?product=kilo_pass`, 'storefront').expect(200);
    expect(summary.body.rewards).toEqual([expect.objectContaining({ id: refereeReward.id, status: 'applied', consumedByIssuanceId: issuanceId })]);
    await e2e.result<DeliveryResult>(decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(refereeReward.id));
  }, 90_000);
});
