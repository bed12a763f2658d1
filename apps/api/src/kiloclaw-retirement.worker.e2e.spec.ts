import { verifyLedger } from '@referrals/ledger';
import { examplePrograms } from '@referrals/rule-dsl';
import { type DeliveryResult, type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { kiloPayment } from './testing/kilo-pass-fixtures';
import { eventually, useWorkerE2e } from './testing/worker-e2e';

const KILOCLAW_PROGRAM = examplePrograms.kiloClaw.key;
const MINUTE_MS = 60_000;

/**
 * Issue 13 item 11: program retirement, on Kilo's retired KiloClaw program (their rules 69a-69g).
 * Records are made while the program runs (the api's clock pinned inside its 2026 schedule), then
 * an operator retires it through the admin api, and each consequence is read through the api:
 * the api over HTTP, the worker process, PostgreSQL, the Temporal dev server and the fake Impact.
 */
describe('KiloClaw retirement end to end (issue 13 item 11, Kilo 69a-69g)', () => {
  let now = new Date('2026-06-01T12:00:00Z');
  const e2e = useWorkerE2e({ clock: () => now, impactProducts: ['kilo_pass', 'kiloclaw'] });
  const { api, id } = e2e;
  const at = (minutes: number) => {
    now = new Date(now.getTime() + minutes * MINUTE_MS);
    return now.toISOString();
  };
  const clawPayment = (userId: string, invoice: string, paidAt: string) =>
    kiloPayment(userId, invoice, {
      product: 'kiloclaw',
      paidAt,
      amount: { minor: 900, currency: 'USD' },
      subscription: { tier: 'standard', interval: 'monthly', kind: 'personal', startedAt: paidAt },
    });
  const referralTouch = (anon: string, code: string) => ({ kind: 'referral', anonymousId: id(anon), product: 'kiloclaw', programKey: KILOCLAW_PROGRAM, referralCode: code });

  // Made before the retirement.
  const made = { referrerRewardId: '', appliedRewardId: '', redemptionWorkflowId: '', registrationWorkflowId: '' };
  const code = () => `CLAW${api.run}`.toUpperCase();

  it('[69a-69d] before retirement: a KiloClaw referral earns one free calendar month each side, and the referee\'s renewal moves one calendar month (day of month clamped)', async () => {
    await api.post('/v1/admin/programs', 'admin', { document: examplePrograms.kiloClaw, author: 'operator:test', changeNote: 'KiloClaw launch' }).expect(201);
    await api.post('/v1/referral-codes', 'storefront', { programKey: KILOCLAW_PROGRAM, code: code(), userId: id('claw-referrer') }).expect(201);

    // Referee 1: referred, pays, gets a free month applied to their next renewal.
    await api.post('/v1/touches', 'storefront', referralTouch('claw-anon-1', code())).expect(201);
    const signup = await api.post('/v1/signups', 'storefront', { product: 'kiloclaw', userId: id('claw-referee-1'), anonymousId: id('claw-anon-1'), email: `${id('claw-referee-1')}@example.com` }).expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'qualified', programKey: KILOCLAW_PROGRAM });
    const paid = await api.post('/v1/events/payment-succeeded', 'billing', clawPayment(id('claw-referee-1'), id('claw-in-1'), at(5))).expect(200);
    expect(paid.body.rewards.map((r: { role: string; kind: string; amountMinor: number; unit: string; status: string }) => [r.role, r.kind, r.amountMinor, r.unit, r.status])).toEqual([
      ['referrer', 'free_period', 1, 'month', 'pending'],
      ['referee', 'free_period', 1, 'month', 'pending'],
    ]);
    made.referrerRewardId = paid.body.rewards[0].id;
    at(1);
    const renewal = await api
      .post('/v1/events/renewal-due', 'billing', { subscriptionId: id('claw-sub-1'), userId: id('claw-referee-1'), product: 'kiloclaw', renewsAt: '2026-08-31T09:00:00.000Z' })
      .expect(200);
    // August 31 + one calendar month = September 30 (clamped), same time of day.
    expect(renewal.body).toMatchObject({ outcome: 'applied', newRenewsAt: '2026-09-30T09:00:00.000Z', reward: { role: 'referee', status: 'applied' } });
    made.appliedRewardId = renewal.body.reward.id;
    made.redemptionWorkflowId = renewal.body.redemptionWorkflowId;

    // Referee 2: an affiliate click first, then the referral; signs up, pays only after retirement.
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: id('claw-anon-2'), product: 'kiloclaw', clickId: id('click-2') }).expect(201);
    at(1);
    await api.post('/v1/touches', 'storefront', referralTouch('claw-anon-2', code())).expect(201);
    const signup2 = await api.post('/v1/signups', 'storefront', { product: 'kiloclaw', userId: id('claw-referee-2'), anonymousId: id('claw-anon-2'), email: `${id('claw-referee-2')}@example.com` }).expect(200);
    expect(signup2.body.referral).toMatchObject({ status: 'qualified', programKey: KILOCLAW_PROGRAM });

    // Visitor 3: touched through the link before retirement, signs up after it.
    await api.post('/v1/touches', 'storefront', referralTouch('claw-anon-3', code())).expect(201);

    // The applied reward's Impact redemption is queued and retrying: the referee is no Advocate participant.
    const retrying = await eventually(
      async () => {
        const shown = await api.get(`/v1/admin/rewards/${made.appliedRewardId}`, 'admin').expect(200);
        return shown.body.reward.redemption?.status === 'retrying' ? shown.body.reward.redemption : undefined;
      },
      30_000,
      'the redemption retrying',
    );
    expect(retrying).toMatchObject({ lastError: { code: 'participant_not_registered' } });

    // The referrer's Advocate registration is queued and retrying too (Impact answers 503 for now).
    api.fake!.faults.failNext('upsertParticipant', 503, { times: 10_000 });
    const token = await api.post('/v1/widget-tokens', 'storefront', { programKey: KILOCLAW_PROGRAM, user: { id: id('claw-referrer'), email: `${id('claw-referrer')}@example.com` } }).expect(200);
    made.registrationWorkflowId = token.body.registration.workflowId;
    await eventually(
      async () => {
        const ops = await api.get(`/v1/admin/ops/deliveries?kind=participant_registration&userId=${id('claw-referrer')}`, 'admin').expect(200);
        return ops.body.deliveries[0]?.status === 'retrying';
      },
      30_000,
      'the registration retrying',
    );
  }, 90_000);

  it('[69c] retiring (audited, idempotent) cancels the pending reward with the reason and lets the applied one stand', async () => {
    at(60);
    const retired = await api
      .post(`/v1/admin/programs/${KILOCLAW_PROGRAM}/retire`, 'admin', { author: 'operator:test', reason: 'fresh KiloClaw provisioning is closed' })
      .expect(200);
    expect(retired.body).toMatchObject({ program: { key: KILOCLAW_PROGRAM, version: 2, status: 'retired', author: 'operator:test' }, replayed: false });
    expect(retired.body.canceledRewards).toEqual([expect.objectContaining({ id: made.referrerRewardId, role: 'referrer', status: 'canceled' })]);

    const again = await api.post(`/v1/admin/programs/${KILOCLAW_PROGRAM}/retire`, 'admin', { author: 'operator:other', reason: 'again' }).expect(200);
    expect(again.body).toMatchObject({ program: { version: 2, status: 'retired' }, canceledRewards: [], replayed: true });

    const canceled = await api.get(`/v1/admin/rewards/${made.referrerRewardId}`, 'admin').expect(200);
    expect(canceled.body.reward.status).toBe('canceled');
    expect(canceled.body.events.at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'canceled', operation: 'program_retired', actor: 'operator:test', reason: 'program retired: fresh KiloClaw provisioning is closed' });
    const applied = await api.get(`/v1/admin/rewards/${made.appliedRewardId}`, 'admin').expect(200);
    expect(applied.body.reward).toMatchObject({ status: 'applied', consumedByIssuanceId: `renewal:${id('claw-sub-1')}:2026-08-31T09:00:00.000Z` });
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  }, 30_000);

  it('[69a] a retired program takes no new touch, referral code, referral or version: 409 program_retired, nothing written', async () => {
    const touch = await api.post('/v1/touches', 'storefront', referralTouch('claw-anon-4', code())).expect(409);
    expect(touch.body).toMatchObject({ error: { code: 'program_retired', details: [{ path: 'body.programKey' }] } });
    expect(await api.services.attribution.listTouches({ anonymousId: id('claw-anon-4') })).toEqual([]);
    const codeAfter = await api.post('/v1/referral-codes', 'storefront', { programKey: KILOCLAW_PROGRAM, code: `${code()}X`, userId: id('claw-referrer-2') }).expect(409);
    expect(codeAfter.body.error.code).toBe('program_retired');
    const update = await api
      .put(`/v1/admin/programs/${KILOCLAW_PROGRAM}`, 'admin', { document: { ...examplePrograms.kiloClaw, status: 'active' }, author: 'operator:test', changeNote: 'revive', expectedVersion: 2 })
      .expect(409);
    expect(update.body.error.code).toBe('program_retired');

    // Visitor 3 touched the link before retirement: the signup now makes no referral for the program.
    const signup = await api.post('/v1/signups', 'storefront', { product: 'kiloclaw', userId: id('claw-referee-3'), anonymousId: id('claw-anon-3'), email: `${id('claw-referee-3')}@example.com` }).expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'no_program', programKey: null });
  }, 30_000);

  it('[69b] its Impact Advocate configuration no longer resolves: no widget token, and the queued participant registration ends', async () => {
    const res = await api.post('/v1/widget-tokens', 'storefront', { programKey: KILOCLAW_PROGRAM, user: { id: id('claw-referee-1'), email: `${id('claw-referee-1')}@example.com` } }).expect(409);
    expect(res.body).toMatchObject({ error: { code: 'program_retired', details: [{ path: 'body.programKey' }] } });
    expect(res.body.token).toBeUndefined();
    // The registration queued before retirement ends instead of retrying; Impact never registered anyone for it.
    const registration = await e2e.result<DeliveryResult>(made.registrationWorkflowId);
    expect(registration).toMatchObject({ kind: 'participant_registration', status: 'failed', error: { code: 'program_retired' } });
    api.fake!.faults.clear();
    expect(api.fake!.participants()).toEqual([]);
  }, 40_000);

  it('[69a, 69f] a payment of a referee referred before retirement rewards nobody (program_retired), and the affiliate SALE is reported, no longer suppressed', async () => {
    const res = await api.post('/v1/events/payment-succeeded', 'billing', clawPayment(id('claw-referee-2'), id('claw-in-2'), at(1))).expect(200);
    expect(res.body).toMatchObject({ decision: { code: 'program_retired', programKey: KILOCLAW_PROGRAM }, conversion: { winner: 'affiliate' }, rewards: [] });
    const report = await e2e.result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${id('claw-in-2')}`));
    expect(report.reported).toMatchObject({ kind: 'affiliate_sale', status: 'succeeded' });
    expect(report.suppressed).toBeNull();
    const sale = api.fake!.requests({ operation: 'submitConversion' }).find((r) => JSON.stringify(r).includes(id('claw-in-2')));
    expect(JSON.stringify(sale)).toContain(id('click-2'));
  }, 40_000);

  it('[69e] its queued Impact redemption ends in a terminal state instead of retrying; the applied reward stands', async () => {
    const ended = await e2e.result<DeliveryResult>(made.redemptionWorkflowId);
    expect(ended).toMatchObject({ kind: 'reward_redemption', status: 'failed', error: { code: 'program_retired' } });
    expect(api.fake!.redemptions()).toEqual([]);
    const applied = await api.get(`/v1/admin/rewards/${made.appliedRewardId}`, 'admin').expect(200);
    expect(applied.body.reward).toMatchObject({ status: 'applied', redemption: { status: 'failed', lastError: { code: 'program_retired' } } });
  }, 40_000);

  it('[69d] its records stay readable in the admin and ops views', async () => {
    const program = await api.get(`/v1/admin/programs/${KILOCLAW_PROGRAM}`, 'admin').expect(200);
    expect(program.body).toMatchObject({ status: 'retired', changeNote: 'retired: fresh KiloClaw provisioning is closed' });
    const history = await api.get(`/v1/admin/programs/${KILOCLAW_PROGRAM}/versions`, 'admin').expect(200);
    expect(history.body.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [2, 'retired'],
      [1, 'active'],
    ]);
    const rewards = await api.get(`/v1/admin/rewards?programKey=${KILOCLAW_PROGRAM}`, 'admin').expect(200);
    expect(rewards.body.rewards.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        [made.referrerRewardId, 'canceled'],
        [made.appliedRewardId, 'applied'],
      ]),
    );
    const ops = await api.get(`/v1/admin/ops/deliveries?kind=reward_redemption&userId=${id('claw-referee-1')}`, 'admin').expect(200);
    expect(ops.body.deliveries).toEqual([expect.objectContaining({ businessId: made.appliedRewardId, status: 'failed' })]);
    const summary = await api.get(`/v1/users/${id('claw-referee-1')}/summary?product=kiloclaw`, 'storefront').expect(200);
    expect(summary.body.rewards).toEqual([expect.objectContaining({ id: made.appliedRewardId, status: 'applied' })]);
  });
});
