import { verifyLedger } from '@referrals/ledger';
import { listOutboxMessages } from '@referrals/outbox';
import { type DeliveryResult, type IssuanceBonusResult, type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { eventually, kiloIssuance, redeemCallsOf, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';
import { startWorkerProcess, type WorkerProcess } from './testing/worker-process';

const PAYMENTS = 12;

/**
 * Issue 14 item 7: the worker deployed twice by mistake (or a second replica started late). A
 * backlog waits in the outbox while no worker runs; then two worker processes, each with its
 * outbox relay, start at the same moment on the same database and task queue and race for the
 * same due rows. SKIP LOCKED gives each row to one relay, Temporal's workflow ids refuse a second
 * start, and the redeem is done once.
 */
describe('a worker (and its outbox relay) started twice on one backlog', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;
  let second: WorkerProcess | undefined;

  afterAll(async () => {
    await second?.stop();
  }, 30_000);

  it(`two worker processes started at once on a backlog of ${PAYMENTS} payments and an issuance: each outbox row relayed once, each SALE reported once, the reward redeemed once`, async () => {
    // A referred subscriber with a pending reward (registered in Advocate by the running worker).
    const { referee: subscriber, refereeReward } = await referredKiloPassSubscriber(e2e, 'twice');
    const referees = await Promise.all(Array.from({ length: PAYMENTS }, (_, i) => referKiloPass(api, `twice${i}`).then((r) => r.referee)));
    const invoices = referees.map((_, i) => `in_twice_${i}_${api.run}`);
    const issuanceId = e2e.id('twice-iss');

    // No worker runs while the backlog is written.
    await e2e.stopWorker();
    for (const answer of await Promise.all(referees.map((referee, i) => api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, invoices[i]!))))) {
      expect(answer.status).toBe(200);
    }
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriber)).expect(202);
    const queued = (await listOutboxMessages(api.db.sequelize)).filter((r) => r.relayedAt === null).map((r) => r.id);
    expect(queued).toHaveLength(PAYMENTS + 1);

    // The same worker, twice, started together.
    [second] = await Promise.all([startWorkerProcess(e2e.workerEnv), e2e.startWorker()]);

    const reportIds = invoices.map((invoice) => workflowIds.conversionReport(`stripe:${invoice}`));
    const reports = await Promise.all(reportIds.map((id) => e2e.result<ReportConversionResult>(id, 60_000)));
    for (const report of reports) expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId), 60_000);
    expect(decided).toMatchObject({ decision: 'referral_bonus', item: { rewardId: refereeReward.id } });
    const redeemed = await e2e.result<DeliveryResult>(decided.redemptionWorkflowId ?? workflowIds.rewardRedemption(refereeReward.id), 60_000);
    expect(redeemed).toMatchObject({ kind: 'reward_redemption', status: 'succeeded', attempts: 1 });

    // Each backlog row was relayed once, by one of the two relays, at its first try.
    const backlog = await eventually(
      async () => {
        const rows = (await listOutboxMessages(api.db.sequelize)).filter((r) => queued.includes(r.id));
        return rows.every((r) => r.relayedAt !== null) ? rows : undefined;
      },
      30_000,
      'the relays to drain the backlog',
    );
    expect(backlog).toHaveLength(PAYMENTS + 1);
    for (const row of backlog) expect(row).toMatchObject({ attempts: 1, outcome: row.kind === 'start' ? 'started' : 'signaled' });

    // Impact: one action per payment, one redeem call and one redemption for the reward.
    await api.fake!.settle();
    const actions = api
      .fake!.actions()
      .map((a) => a.orderId)
      .filter((orderId) => invoices.includes(orderId));
    expect(actions.sort()).toEqual([...invoices].sort());
    expect(redeemCallsOf(api, refereeReward.id).map((c) => c.status)).toEqual([200]);
    expect(api.fake!.redemptions().filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${refereeReward.id}:`))).toHaveLength(1);
    expect(second?.running()).toBe(true);
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  }, 180_000);
});
