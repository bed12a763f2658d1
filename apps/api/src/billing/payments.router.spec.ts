import { applyRewardToIssuance, listRewards, verifyLedger } from '@referrals/ledger';
import { workflowIds } from '@referrals/workflows';
import { createOutboxRelay, outboxMessagesOf, type WorkflowStarterClient } from '@referrals/outbox';
import { QueryTypes } from 'sequelize';
import { useApiHarness } from '../testing/api-harness';
import { createKiloPassProgram, KILO_PASS_PROGRAM, kiloPayment, referKiloPass } from '../testing/kilo-pass-fixtures';

describe('payment.succeeded replays (acceptance 7)', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));

  const count = async (sql: string, bind: unknown[]) =>
    Number((await api.db.sequelize.query<{ n: string }>(sql, { bind, type: QueryTypes.SELECT }))[0]?.n);

  it('records one conversion and one reward per role when the same event is posted 3 times concurrently, and answers all three identically', async () => {
    const { referrer, referee } = await referKiloPass(api, 'concurrent');
    const body = kiloPayment(referee, `in_conc_${api.run}`);
    const answers = await Promise.all([1, 2, 3].map(() => api.post('/v1/events/payment-succeeded', 'billing', body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]!.body.rewards.map((r: { role: string }) => r.role).sort()).toEqual(['referee', 'referrer']);

    expect(await count('SELECT count(*) AS n FROM attribution_conversions WHERE source_payment_id = $1', [body.sourcePaymentId])).toBe(1);
    const rewards = await listRewards(api.db.sequelize, { programKey: KILO_PASS_PROGRAM, limit: 1000 });
    const ofPayment = rewards.filter((r) => r.sourceConversionId === `stripe:${body.sourcePaymentId}`);
    expect(ofPayment.map((r) => [r.role, r.beneficiaryId, r.amountMinor])).toEqual(
      expect.arrayContaining([
        ['referrer', referrer, 2450],
        ['referee', referee, 2450],
      ]),
    );
    expect(ofPayment).toHaveLength(2);
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);

    // Later, after the reward changed state: the replay still answers the original bytes.
    const refereeReward = ofPayment.find((r) => r.role === 'referee')!;
    await applyRewardToIssuance(api.db.sequelize, {
      issuanceId: `iss-conc-${api.run}`,
      beneficiaryId: referee,
      product: 'kilo_pass',
      issuanceCreatedAt: new Date(Date.now() + 1000),
      actor: 'test',
    });
    expect((await listRewards(api.db.sequelize, { beneficiaryId: referee })).find((r) => r.id === refereeReward.id)?.status).toBe('applied');
    const later = await api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
    expect(later.text).toBe(answers[0]!.text);
    expect(later.headers['idempotent-replayed']).toBe('true');
  });

  it('refuses the same payment with other content with 409 and changes nothing', async () => {
    const { referee } = await referKiloPass(api, 'changed');
    const body = kiloPayment(referee, `in_changed_${api.run}`);
    await api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
    const res = await api.post('/v1/events/payment-succeeded', 'billing', { ...body, amount: { minor: 19900, currency: 'USD' } }).expect(409);
    expect(res.body.error.code).toBe('event_exists_with_different_content');
    expect(await count('SELECT count(*) AS n FROM ledger_rewards WHERE source_conversion_id = $1', [`stripe:${body.sourcePaymentId}`])).toBe(2);
  });

  it('does not reward a second payment of the referee (first qualifying event only), and explains why', async () => {
    const { referee } = await referKiloPass(api, 'second');
    await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_second_1_${api.run}`)).expect(200);
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_second_2_${api.run}`, { sequence: 2 })).expect(200);
    expect(res.body.decision.code).toBe('no_rule_matched');
    expect(res.body.decision.explanation.join('\n')).toContain('payment.sequence eq 1: not matched (actual 2)');
    expect(res.body.rewards).toEqual([]);

    // A second "first" payment (a billing mistake): the program rewards only the first qualifying event.
    const again = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_second_3_${api.run}`)).expect(200);
    expect(again.body.decision.code).toBe('not_first_qualifying_event');
    expect(again.body.rewards).toEqual([]);
  });

  it('records a payment without any touch as attributed to nobody: no reward, no SALE report', async () => {
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(`organic-${api.run}`, `in_organic_${api.run}`)).expect(200);
    expect(res.body).toMatchObject({ conversion: { winner: 'none', reason: 'no_valid_touch' }, decision: { code: 'not_attributed_to_referral' }, rewards: [], workflows: [] });
  });
});

describe('adverse payment notices', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));

  it('cancels the pending rewards of a refunded payment and starts the SALE reversal; a later chargeback changes nothing more', async () => {
    const { referee } = await referKiloPass(api, 'refund');
    const sourcePaymentId = `in_refund_${api.run}`;
    await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, sourcePaymentId)).expect(200);
    const notice = { noticeId: `re_${api.run}`, provider: 'stripe', sourcePaymentId, product: 'kilo_pass', kind: 'refund', occurredAt: new Date().toISOString() };
    const res = await api.post('/v1/events/adverse-payment', 'billing', notice).expect(200);
    expect(res.body).toMatchObject({ paymentId: `stripe:${sourcePaymentId}`, effect: 'acted' });
    expect(res.body.changes.map((c: { from: string; to: string }) => `${c.from}->${c.to}`)).toEqual(['pending->canceled', 'pending->canceled']);
    const workflowId = workflowIds.conversionReversal(`stripe:${sourcePaymentId}`);
    expect(res.body.workflows).toEqual([{ type: 'reverseConversion', workflowId }]);
    expect((await api.inspect(workflowId)).input).toMatchObject({ conversionId: `stripe:${sourcePaymentId}`, adverseKind: 'refund', userId: referee });

    const replay = await api.post('/v1/events/adverse-payment', 'billing', notice).expect(200);
    expect(replay.text).toBe(res.text);
    const chargeback = await api.post('/v1/events/adverse-payment', 'billing', { ...notice, noticeId: `cb_${api.run}`, kind: 'chargeback' }).expect(200);
    expect(chargeback.body).toMatchObject({ effect: 'already_handled', changes: [] });
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('records the grant of a payment whose refund came first as disqualified, with the reason', async () => {
    const { referee } = await referKiloPass(api, 'early');
    const sourcePaymentId = `in_early_${api.run}`;
    await api
      .post('/v1/events/adverse-payment', 'billing', { noticeId: `efw_${api.run}`, provider: 'stripe', sourcePaymentId, product: 'kilo_pass', kind: 'early_fraud_warning_refund', occurredAt: new Date().toISOString() })
      .expect(200);
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, sourcePaymentId)).expect(200);
    expect(res.body.rewards.map((r: { status: string }) => r.status)).toEqual(['disqualified', 'disqualified']);
    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.disqualifiedRewards).toEqual(
      expect.arrayContaining([expect.objectContaining({ sourceConversionId: `stripe:${sourcePaymentId}`, decisionReason: expect.stringContaining('early_fraud_warning_refund') })]),
    );
  });
});

describe('payment.succeeded while Temporal is unreachable (the outbox)', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));

  it('answers 200 with the grant booked and the SALE report queued; a relay facing a dead Temporal keeps the row, and a live one starts it once', async () => {
    const { referee } = await referKiloPass(api, 'temporal-down');
    const body = kiloPayment(referee, `in_down_${api.run}`);
    const workflowId = workflowIds.conversionReport(`stripe:${body.sourcePaymentId}`);
    // The api never calls Temporal: the answer comes from the one transaction that wrote the outbox row.
    const answered = await api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
    expect(answered.body.workflows).toEqual([{ type: 'reportConversion', workflowId }]);
    const booked = await listRewards(api.db.sequelize, { beneficiaryId: referee });
    expect(booked.map((r) => r.status)).toEqual(['pending']);

    // Temporal unreachable, as the relay sees it (a real outage is temporal-away.faults.spec.ts, `npm run test:faults`).
    const unavailable = () => Promise.reject(new Error('14 UNAVAILABLE: No connection established'));
    const dead: WorkflowStarterClient = { start: unavailable, signalWithStart: unavailable, withDeadline: (_deadline, fn) => fn() };
    const deadRelay = createOutboxRelay({ sequelize: api.db.sequelize, workflows: dead, callTimeoutMs: 1_000 });
    expect(await deadRelay.relayOnce()).toEqual({ relayed: 0, failed: 1 });
    const [waiting] = await outboxMessagesOf(api.db.sequelize, workflowId);
    expect(waiting).toMatchObject({ attempts: 1, relayedAt: null, lastError: expect.any(String) });
    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.outbox).toMatchObject({ rows: 1, retrying: 1 });

    // Due again after its backoff; the live relay starts it, and a replay of the payment queues nothing more.
    await api.db.sequelize.query('UPDATE outbox_messages SET next_attempt_at = now()');
    expect((await api.inspect(workflowId)).input).toMatchObject({ conversionId: `stripe:${body.sourcePaymentId}` });
    const replay = await api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
    expect(replay.text).toBe(answered.text);
    const rows = await outboxMessagesOf(api.db.sequelize, workflowId);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'started', attempts: 2 })]);
    expect((await api.get('/v1/admin/ops', 'admin').expect(200)).body.outbox).toMatchObject({ rows: 0, oldestAgeSeconds: 0 });
  }, 30_000);
});
