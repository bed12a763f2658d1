import { type BackfillRedemptionsResult, type ExpireRewardsResult, type VerifyLedgerResult } from '@referrals/workflows';
import { kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { useWorkerE2e } from './testing/worker-e2e';

const DAY_MS = 86_400_000;

/**
 * Issue 13 item 12: an operator runs a scheduled job now through the api. The run is queued
 * through the outbox (202 with the run's id, the api never waits for Temporal), the worker's
 * workflow records what it changed in PostgreSQL, and GET reads it.
 */
describe('Run a schedule now (issue 13 item 12)', () => {
  // The referral and its payment happen 366 days ago (the api's clock); the worker expires with the real clock.
  let now = new Date(Date.now() - 366 * DAY_MS);
  const e2e = useWorkerE2e({ clock: () => now });
  const { api } = e2e;

  it('[108] a reward earned 366 days ago and never consumed expires through POST /v1/admin/schedules/expire-rewards/run, and the run says which rewards it expired', async () => {
    const { referee } = await referKiloPass(api, 'old');
    now = new Date(now.getTime() + 60_000);
    const paidAt = now.toISOString();
    const paid = await api
      .post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `old-in-${api.run}`, { paidAt, subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: paidAt } }))
      .expect(200);
    const rewardIds: string[] = paid.body.rewards.map((r: { id: string }) => r.id);
    expect(paid.body.rewards.map((r: { status: string; earnedAt: string }) => [r.status, r.earnedAt])).toEqual([
      ['pending', paidAt],
      ['pending', paidAt],
    ]);

    const queued = await api.post('/v1/admin/schedules/expire-rewards/run', 'admin', { requestedBy: 'operator:test' }).expect(202);
    expect(queued.body.run).toMatchObject({ schedule: 'expire-rewards', status: 'queued', requestedBy: 'operator:test', result: null, finishedAt: null });
    const result = await e2e.result<ExpireRewardsResult>(queued.body.run.workflowId);
    expect(result.expiredRewardIds).toEqual(expect.arrayContaining(rewardIds));

    const run = await api.get(`/v1/admin/schedule-runs/${queued.body.run.id}`, 'admin').expect(200);
    expect(run.body.run).toMatchObject({ id: queued.body.run.id, status: 'succeeded', finishedAt: expect.any(String) });
    expect(run.body.run.result.expiredRewardIds).toEqual(expect.arrayContaining(rewardIds));
    expect(run.body.run.result.expired).toBeGreaterThanOrEqual(2);
    for (const rewardId of rewardIds) {
      const shown = await api.get(`/v1/admin/rewards/${rewardId}`, 'admin').expect(200);
      expect(shown.body.reward.status).toBe('expired');
      expect(shown.body.events.at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'expired', operation: 'expire' });
    }
  }, 60_000);

  it('runs backfill-redemptions now and records its result (nothing to backfill: no applied reward)', async () => {
    const queued = await api.post('/v1/admin/schedules/backfill-redemptions/run', 'admin', { requestedBy: 'operator:test' }).expect(202);
    const result = await e2e.result<BackfillRedemptionsResult>(queued.body.run.workflowId);
    expect(result).toEqual({ rewardIds: [], started: 0, alreadyStarted: 0 });
    const run = await api.get(`/v1/admin/schedule-runs/${queued.body.run.id}`, 'admin').expect(200);
    expect(run.body.run).toMatchObject({ schedule: 'backfill-redemptions', status: 'succeeded', result: { rewardIds: [], started: 0 } });
  }, 40_000);

  it('issue 14 item 5: runs verify-ledger now; its result shows in the run, in /v1/admin/ops and as referrals_ledger_violations in /metrics', async () => {
    const before = (await api.get('/v1/admin/ops', 'admin').expect(200)).body.ledgerVerification;
    const queued = await api.post('/v1/admin/schedules/verify-ledger/run', 'admin', { requestedBy: 'operator:test' }).expect(202);
    const result = await e2e.result<VerifyLedgerResult>(queued.body.run.workflowId);
    expect(result).toMatchObject({ violationCount: 0, violationCodes: [] });
    const run = await api.get(`/v1/admin/schedule-runs/${queued.body.run.id}`, 'admin').expect(200);
    expect(run.body.run).toMatchObject({ schedule: 'verify-ledger', status: 'succeeded', result: { violationCount: 0, verificationId: result.verificationId } });
    const ops = (await api.get('/v1/admin/ops', 'admin').expect(200)).body.ledgerVerification;
    expect(ops).toEqual({ checkedAt: result.checkedAt, violationCount: 0, violations: [] });
    expect(ops).not.toEqual(before);
    const metrics = await api.get('/metrics', null).expect(200);
    expect(metrics.text).toMatch(/^referrals_ledger_violations 0$/m);
    expect(Number(/^referrals_ledger_verified_at_seconds (\S+)$/m.exec(metrics.text)?.[1])).toBe(Date.parse(result.checkedAt) / 1000);
  }, 40_000);

  it('answers a structured 400 for an unknown schedule and 404 for an unknown run, writing nothing', async () => {
    const unknown = await api.post('/v1/admin/schedules/delete-everything/run', 'admin', { requestedBy: 'operator:test' }).expect(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'params.name' })]);
    const missing = await api.get('/v1/admin/schedule-runs/00000000-0000-4000-8000-000000000000', 'admin').expect(404);
    expect(missing.body.error.code).toBe('schedule_run_not_found');
  });
});
