import { type PurgeTouchesResult } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { referKiloPass } from './testing/kilo-pass-fixtures';
import { useWorkerE2e } from './testing/worker-e2e';

const DAY_MS = 86_400_000;

/**
 * Issue 15 item 5: touches that never attributed anything are deleted once older than the
 * retention period (TOUCH_RETENTION_DAYS, 90 days by default) by the purge-touches schedule, which
 * an operator can run now like the other schedules.
 */
describe('Touch retention (issue 15 item 5)', () => {
  // The api captures the first touches 100 days ago (its clock); the worker purges with the real clock.
  let now = new Date(Date.now() - 100 * DAY_MS);
  const e2e = useWorkerE2e({ clock: () => now });
  const { api, id } = e2e;

  const touchIds = async (anonymousId: string) =>
    (
      await api.db.sequelize.query<{ id: string }>('SELECT id FROM attribution_touches WHERE anonymous_id = $1', { bind: [anonymousId], type: QueryTypes.SELECT })
    ).map((r) => r.id);

  it('POST /v1/admin/schedules/purge-touches/run deletes the 100-day-old touch that attributed nothing, and keeps the one that made a referral and the recent one', async () => {
    // 100 days ago: a visit that led nowhere, and a referral visit that made a referral at signup.
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: id('stale'), product: 'kilo_pass', clickId: `click-${id('stale')}`, landingPath: '/pricing' }).expect(201);
    await referKiloPass(api, 'kept');
    // Yesterday: another visit that led nowhere, within the retention period.
    now = new Date(Date.now() - DAY_MS);
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: id('recent'), product: 'kilo_pass', clickId: `click-${id('recent')}` }).expect(201);
    const [stale] = await touchIds(id('stale'));
    expect(stale).toEqual(expect.any(String));

    const queued = await api.post('/v1/admin/schedules/purge-touches/run', 'admin', { requestedBy: 'operator:test' }).expect(202);
    expect(queued.body.run).toMatchObject({ schedule: 'purge-touches', status: 'queued' });
    const result = await e2e.result<PurgeTouchesResult>(queued.body.run.workflowId);
    expect(result).toEqual({ deleted: 1, retentionDays: 90, batches: 1, hasMore: false });

    expect(await touchIds(id('stale'))).toEqual([]);
    expect(await touchIds(id('recent'))).toHaveLength(1);
    const [kept] = await api.db.sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM attribution_touches t JOIN attribution_referrals r ON r.touch_id = t.id WHERE t.user_id = $1',
      { bind: [`kept-referee-${api.run}`], type: QueryTypes.SELECT },
    );
    expect(kept?.n).toBe(1);
    const run = await api.get(`/v1/admin/schedule-runs/${queued.body.run.id}`, 'admin').expect(200);
    expect(run.body.run).toMatchObject({ status: 'succeeded', result: { deleted: 1, retentionDays: 90 } });

    // A second run finds nothing left to delete.
    const again = await api.post('/v1/admin/schedules/purge-touches/run', 'admin', { requestedBy: 'operator:test' }).expect(202);
    expect(await e2e.result<PurgeTouchesResult>(again.body.run.workflowId)).toMatchObject({ deleted: 0, hasMore: false });
  }, 60_000);
});
