import { useTestDatabase } from '@referrals/db/testing';
import { ensureDelivery, recordChosenImpactReward, recordDeliveryAttempt, recordSuppressedDelivery } from './deliveries';
import { deliveryStatuses } from './delivery-states';
import { impactSyncMigrations } from './impact-sync.migrations';
import { countDeliveries, findWorkWithoutDelivery, listChosenImpactRewardIds, listDeliveries } from './read-models';

describe('impact-sync read models', () => {
  const db = useTestDatabase([impactSyncMigrations]);
  const work = (kind: 'reward_redemption' | 'participant_registration' | 'referral_sale', id: string, userId = 'u-1') => ({
    kind,
    businessId: id,
    deliveryKey: `${kind}:${id}`,
    product: 'kilo_pass',
    programKey: 'kilo-pass',
    userId,
  });

  beforeAll(async () => {
    await ensureDelivery(db.sequelize, work('reward_redemption', 'r-1'));
    await ensureDelivery(db.sequelize, work('reward_redemption', 'r-2'));
    await ensureDelivery(db.sequelize, work('reward_redemption', 'r-3', 'u-2'));
    await ensureDelivery(db.sequelize, work('participant_registration', 'kilo-pass:u-1'));
    await ensureDelivery(db.sequelize, work('referral_sale', 'kilo_pass:stripe:in_1'));
    await recordDeliveryAttempt(db.sequelize, {
      kind: 'reward_redemption',
      businessId: 'r-1',
      attempt: 1,
      outcome: 'retrying',
      error: { code: 'server_error', message: '503' },
      nextAttemptAt: new Date(Date.now() + 60_000),
    });
    await recordDeliveryAttempt(db.sequelize, {
      kind: 'reward_redemption',
      businessId: 'r-2',
      attempt: 1,
      outcome: 'failed',
      error: { code: 'bad_request', message: '400', httpStatus: 400 },
    });
    await recordSuppressedDelivery(db.sequelize, { ...work('reward_redemption', 'r-0'), kind: 'reward_redemption', reason: 'test' });
    await recordChosenImpactReward(db.sequelize, { rewardId: 'r-1', impactRewardId: 'imp-1' });
    await recordChosenImpactReward(db.sequelize, { rewardId: 'r-3', impactRewardId: 'imp-3' });
  });

  it('counts deliveries per kind and status, and per ops category', async () => {
    const { byKind, byCategory } = await countDeliveries(db.sequelize);
    expect(byKind.reward_redemption).toEqual({ pending: 1, retrying: 1, succeeded: 0, failed: 1, disabled: 0, suppressed: 1 });
    expect(byKind.participant_registration.pending).toBe(1);
    expect(byCategory.conversionReports.pending).toBe(1);
    expect(byCategory.redemptions.retrying).toBe(1);
    expect(Object.keys(byKind.sale_reversal)).toEqual([...deliveryStatuses]);
    expect((await countDeliveries(db.sequelize, { programKey: 'other' })).byKind.reward_redemption.pending).toBe(0);
  });

  it('lists deliveries by kind and status, newest first by default (a fresh failure is on the first page), a page at a time', async () => {
    const retryingOrFailed = await listDeliveries(db.sequelize, { kind: 'reward_redemption', status: ['retrying', 'failed'] });
    expect(retryingOrFailed.map((d) => [d.businessId, d.status])).toEqual([
      ['r-2', 'failed'],
      ['r-1', 'retrying'],
    ]);
    const oldestFirst = await listDeliveries(db.sequelize, { kind: 'reward_redemption', status: ['retrying', 'failed'], order: 'oldest' });
    expect(oldestFirst.map((d) => d.businessId)).toEqual(['r-1', 'r-2']);
    for (const order of ['newest', 'oldest'] as const) {
      const all = await listDeliveries(db.sequelize, { order });
      const [firstPage] = await listDeliveries(db.sequelize, { limit: 1, order });
      expect(firstPage!.id).toBe(all[0]!.id);
      const rest = await listDeliveries(db.sequelize, { afterId: firstPage!.id, order });
      expect(rest.map((d) => d.id)).toEqual(all.slice(1).map((d) => d.id));
      expect(rest).toHaveLength(5);
    }
    await expect(listDeliveries(db.sequelize, { status: 'bogus' as 'failed' })).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('filters deliveries by age: created at least / at most so many seconds ago', async () => {
    await db.sequelize.query(`UPDATE impact_sync_deliveries SET created_at = now() - interval '2 hours' WHERE business_id = 'r-2'`);
    expect((await listDeliveries(db.sequelize, { olderThanSeconds: 3600 })).map((d) => d.businessId)).toEqual(['r-2']);
    expect((await listDeliveries(db.sequelize, { newerThanSeconds: 3600 })).map((d) => d.businessId)).not.toContain('r-2');
    expect(await listDeliveries(db.sequelize, { newerThanSeconds: 3600 })).toHaveLength(5);
  });

  it('lists the deliveries of given business ids in one read (a page of rewards and their redemptions)', async () => {
    const some = await listDeliveries(db.sequelize, { kind: 'reward_redemption', businessId: ['r-3', 'r-1', 'r-404'] });
    expect(some.map((d) => [d.businessId, d.status, d.chosenImpactRewardId])).toEqual([
      ['r-3', 'pending', 'imp-3'],
      ['r-1', 'retrying', 'imp-1'],
    ]);
    expect((await listDeliveries(db.sequelize, { businessId: 'r-2' })).map((d) => d.status)).toEqual(['failed']);
    await expect(listDeliveries(db.sequelize, { businessId: [] })).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('finds work that has no delivery yet, in the order given', async () => {
    expect(await findWorkWithoutDelivery(db.sequelize, 'reward_redemption', ['r-9', 'r-1', 'r-8'])).toEqual(['r-9', 'r-8']);
    expect(await findWorkWithoutDelivery(db.sequelize, 'reward_redemption', [])).toEqual([]);
  });

  it("lists the Impact rewards other local rewards of the same user chose, to exclude them from selection", async () => {
    expect(await listChosenImpactRewardIds(db.sequelize, { product: 'kilo_pass', userId: 'u-1' })).toEqual(['imp-1']);
    expect(await listChosenImpactRewardIds(db.sequelize, { product: 'kilo_pass', userId: 'u-1', exceptRewardId: 'r-1' })).toEqual([]);
    expect(await listChosenImpactRewardIds(db.sequelize, { product: 'kiloclaw', userId: 'u-1' })).toEqual([]);
  });
});
