import { useTestDatabase } from '@referrals/db/testing';
import { QueryTypes } from 'sequelize';
import {
  ensureDelivery,
  getDelivery,
  recordChosenImpactReward,
  recordDeliveryAttempt,
  recordSuppressedDelivery,
  requeueDelivery,
} from './deliveries';
import { deliveryBusinessIds, deliveryKeys } from './delivery-keys';
import { impactSyncMigrations } from './impact-sync.migrations';
import { getParticipantRegistration, recordParticipantRegistration } from './participants';
import { listDeliveryAttempts } from './read-models';

let sequence = 0;
const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;
const T0 = new Date('2026-03-01T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

function redemption(rewardId = uniqueId('reward')) {
  return {
    kind: 'reward_redemption' as const,
    businessId: deliveryBusinessIds.rewardRedemption(rewardId),
    deliveryKey: deliveryKeys.rewardRedemption(rewardId),
    product: 'kilo_pass',
    programKey: 'kilo-pass',
    userId: uniqueId('user'),
    workflowId: `reward-redemption-${rewardId}`,
    now: T0,
  };
}

const transientError = { code: 'server_error', message: 'Impact answered 503', httpStatus: 503 };

describe('ensureDelivery', () => {
  const db = useTestDatabase([impactSyncMigrations]);

  it('records the work once as pending; the same work again returns the same row and writes nothing', async () => {
    const work = redemption();
    const first = await ensureDelivery(db.sequelize, work);
    const second = await ensureDelivery(db.sequelize, work);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.delivery).toEqual(first.delivery);
    expect(first.delivery).toMatchObject({ status: 'pending', attempts: 0, lastError: null, nextAttemptAt: null, completedAt: null });
  });

  it('refuses the same work under another delivery key, and a key already used by other work', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    await expect(ensureDelivery(db.sequelize, { ...work, deliveryKey: 'other-key' })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
    await expect(ensureDelivery(db.sequelize, { ...work, businessId: uniqueId('other') })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
  });

  it('rejects invalid input with every problem and its path', async () => {
    await expect(ensureDelivery(db.sequelize, { ...redemption(), kind: 'nope' as 'reward_redemption', product: '' })).rejects.toMatchObject({
      code: 'input_invalid',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'kind' }), expect.objectContaining({ path: 'product' })]),
    });
  });
});

describe('recordDeliveryAttempt', () => {
  const db = useTestDatabase([impactSyncMigrations]);

  it('shows a transient failure as retrying with the attempt count, last error and next attempt time', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    const { delivery, changed } = await recordDeliveryAttempt(db.sequelize, {
      kind: work.kind,
      businessId: work.businessId,
      attempt: 1,
      outcome: 'retrying',
      error: transientError,
      requestId: 'req-1',
      nextAttemptAt: later(2_000),
      now: later(1_000),
    });
    expect(changed).toBe(true);
    expect(delivery).toMatchObject({
      status: 'retrying',
      attempts: 1,
      lastError: transientError,
      lastRequestId: 'req-1',
      lastAttemptAt: later(1_000),
      nextAttemptAt: later(2_000),
    });
  });

  it('is idempotent: recording the same attempt twice changes nothing and logs it once', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    const record = {
      kind: work.kind,
      businessId: work.businessId,
      attempt: 1,
      outcome: 'retrying' as const,
      error: transientError,
      nextAttemptAt: later(2_000),
      now: later(1_000),
    };
    const first = await recordDeliveryAttempt(db.sequelize, record);
    const second = await recordDeliveryAttempt(db.sequelize, { ...record, now: later(5_000) });
    expect(second.changed).toBe(false);
    expect(second.delivery).toEqual(first.delivery);
    expect(await listDeliveryAttempts(db.sequelize, work.kind, work.businessId)).toHaveLength(1);
  });

  it('ends the work on success: clears the error and the next attempt, keeps external ids, and stays succeeded', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    const ref = { kind: work.kind, businessId: work.businessId };
    await recordDeliveryAttempt(db.sequelize, { ...ref, attempt: 1, outcome: 'retrying', error: transientError, nextAttemptAt: later(1) });
    const done = await recordDeliveryAttempt(db.sequelize, {
      ...ref,
      attempt: 2,
      outcome: 'succeeded',
      impactActionId: '1234.5678.9012',
      details: { creditRedeemed: 24.5 },
      now: later(10),
    });
    expect(done.delivery).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      lastError: null,
      nextAttemptAt: null,
      completedAt: later(10),
      impactActionId: '1234.5678.9012',
      details: { creditRedeemed: 24.5 },
    });
    // A late record of an older (or the same) attempt never turns a success back into a retry.
    const late = await recordDeliveryAttempt(db.sequelize, { ...ref, attempt: 3, outcome: 'failed', error: { code: 'bad_request', message: 'x' } });
    expect(late.changed).toBe(false);
    expect((await getDelivery(db.sequelize, work.kind, work.businessId))?.status).toBe('succeeded');
    expect((await listDeliveryAttempts(db.sequelize, work.kind, work.businessId)).map((a) => a.outcome)).toEqual([
      'retrying',
      'succeeded',
      'failed',
    ]);
  });

  it('records a permanent failure as failed with its code and HTTP status, and requeue puts it back to pending', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    const ref = { kind: work.kind, businessId: work.businessId };
    const failed = await recordDeliveryAttempt(db.sequelize, {
      ...ref,
      attempt: 1,
      outcome: 'failed',
      error: { code: 'bad_request', message: 'Injected error 400', httpStatus: 400 },
    });
    expect(failed.delivery).toMatchObject({ status: 'failed', lastError: { code: 'bad_request', httpStatus: 400 } });
    expect(failed.delivery.completedAt).not.toBeNull();
    const requeued = await requeueDelivery(db.sequelize, ref);
    expect(requeued).toMatchObject({ status: 'pending', attempts: 1, completedAt: null });
    await expect(requeueDelivery(db.sequelize, ref)).rejects.toMatchObject({ code: 'delivery_not_requeueable' });
    await expect(requeueDelivery(db.sequelize, { ...ref, businessId: 'missing' })).rejects.toMatchObject({ code: 'delivery_not_found' });
  });

  it('refuses a retry without a next attempt time, and unknown work', async () => {
    const work = redemption();
    await ensureDelivery(db.sequelize, work);
    await expect(
      recordDeliveryAttempt(db.sequelize, { kind: work.kind, businessId: work.businessId, attempt: 1, outcome: 'retrying', error: transientError }),
    ).rejects.toMatchObject({ code: 'input_invalid', issues: [expect.objectContaining({ path: 'nextAttemptAt' })] });
    await expect(
      recordDeliveryAttempt(db.sequelize, { kind: work.kind, businessId: 'missing', attempt: 1, outcome: 'succeeded' }),
    ).rejects.toMatchObject({ code: 'delivery_not_found' });
  });

  it('keeps a queued submission to poll until the work ends', async () => {
    const work = { ...redemption(), kind: 'referral_sale' as const, deliveryKey: uniqueId('impact-referral-sale') };
    await ensureDelivery(db.sequelize, work);
    const ref = { kind: work.kind, businessId: work.businessId };
    const queued = await recordDeliveryAttempt(db.sequelize, {
      ...ref,
      attempt: 1,
      outcome: 'retrying',
      error: { code: 'submission_pending', message: 'still queued' },
      nextAttemptAt: later(1),
      queuedUri: '/Advertisers/X/APISubmissions/1',
    });
    expect(queued.delivery.queuedUri).toBe('/Advertisers/X/APISubmissions/1');
    const again = await recordDeliveryAttempt(db.sequelize, {
      ...ref,
      attempt: 2,
      outcome: 'retrying',
      error: { code: 'submission_pending', message: 'still queued' },
      nextAttemptAt: later(2),
    });
    expect(again.delivery.queuedUri).toBe('/Advertisers/X/APISubmissions/1');
    const done = await recordDeliveryAttempt(db.sequelize, { ...ref, attempt: 3, outcome: 'succeeded', impactActionId: 'A.1' });
    expect(done.delivery.queuedUri).toBeNull();
  });
});

describe('recordChosenImpactReward', () => {
  const db = useTestDatabase([impactSyncMigrations]);

  it('persists the first choice; a later choice keeps the first one', async () => {
    const rewardId = uniqueId('reward');
    await ensureDelivery(db.sequelize, redemption(rewardId));
    const first = await recordChosenImpactReward(db.sequelize, { rewardId, impactRewardId: 'impact-a' });
    const second = await recordChosenImpactReward(db.sequelize, { rewardId, impactRewardId: 'impact-b' });
    expect(first).toMatchObject({ chosenImpactRewardId: 'impact-a', chosenNow: true });
    expect(second).toMatchObject({ chosenImpactRewardId: 'impact-a', chosenNow: false });
    expect((await getDelivery(db.sequelize, 'reward_redemption', rewardId))?.chosenImpactRewardId).toBe('impact-a');
  });

  it('never lets two local rewards choose the same Impact reward (database constraint)', async () => {
    const a = uniqueId('reward');
    const b = uniqueId('reward');
    await ensureDelivery(db.sequelize, redemption(a));
    await ensureDelivery(db.sequelize, redemption(b));
    await recordChosenImpactReward(db.sequelize, { rewardId: a, impactRewardId: 'impact-shared' });
    await expect(recordChosenImpactReward(db.sequelize, { rewardId: b, impactRewardId: 'impact-shared' })).rejects.toMatchObject({
      code: 'impact_reward_already_chosen',
      retryable: true,
    });
  });

  it('only applies to recorded redemptions', async () => {
    await expect(recordChosenImpactReward(db.sequelize, { rewardId: 'missing', impactRewardId: 'x' })).rejects.toMatchObject({
      code: 'delivery_not_found',
    });
  });
});

describe('recordSuppressedDelivery', () => {
  const db = useTestDatabase([impactSyncMigrations]);

  it('records work that is deliberately not sent as suppressed with the reason, idempotently', async () => {
    const sale = { product: 'kilo_pass', provider: 'stripe', sourceId: uniqueId('in') };
    const input = {
      kind: 'affiliate_sale' as const,
      businessId: deliveryBusinessIds.sale(sale),
      deliveryKey: deliveryKeys.affiliateSale(sale),
      product: sale.product,
      reason: 'the referral won the attribution',
    };
    const first = await recordSuppressedDelivery(db.sequelize, input);
    const second = await recordSuppressedDelivery(db.sequelize, input);
    expect(first).toMatchObject({ status: 'suppressed', attempts: 0, details: { suppressedReason: input.reason } });
    expect(second).toEqual(first);
    const [{ n }] = await db.sequelize.query<{ n: number }>('SELECT count(*)::int AS n FROM impact_sync_deliveries WHERE kind = $1', {
      bind: ['affiliate_sale'],
      type: QueryTypes.SELECT,
    }) as [{ n: number }];
    expect(n).toBe(1);
  });
});

describe('recordParticipantRegistration', () => {
  const db = useTestDatabase([impactSyncMigrations]);

  it('stores the program-scoped referral code; recording again is a no-op and a missing code keeps the known one', async () => {
    const userId = uniqueId('user');
    const input = { programKey: 'kilo-pass', userId, product: 'kilo_pass', participantId: userId, accountId: userId, referralCode: 'PARTICIPANT9001' };
    const first = await recordParticipantRegistration(db.sequelize, { ...input, now: T0 });
    const second = await recordParticipantRegistration(db.sequelize, { ...input, now: later(1_000) });
    expect(second).toEqual(first);
    await recordParticipantRegistration(db.sequelize, { ...input, referralCode: null, now: later(2_000) });
    expect(await getParticipantRegistration(db.sequelize, 'kilo-pass', userId)).toMatchObject({ referralCode: 'PARTICIPANT9001' });
    expect(await getParticipantRegistration(db.sequelize, 'other-program', userId)).toBeNull();
  });
});
