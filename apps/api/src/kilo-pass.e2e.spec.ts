import { participantRequestOf, saleRequestOf } from '@referrals/impact-sync';
import { verifyLedger } from '@referrals/ledger';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { examplePrograms } from '@referrals/rule-dsl';
import { workflowIds } from '@referrals/workflows';
import { useApiHarness } from './testing/api-harness';

const PROGRAM = 'kilo-pass-referrals';

describe('Kilo Pass referrals over HTTP (acceptance 1, what the api owns)', () => {
  const api = useApiHarness({ fakeImpact: true });
  const id = (name: string) => `${name}-${api.run}`;
  const code = () => `KP${api.run}`.toUpperCase();
  const cookie = () => fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code: code() });
  // Set when the payment happens: after the touch, or the touch would not count.
  let paidAt = new Date();
  const payment = (overrides: Record<string, unknown> = {}) => ({
    provider: 'stripe',
    sourcePaymentId: id('in'),
    product: 'kilo_pass',
    userId: id('referee'),
    email: 'referee@example.com',
    paidAt: paidAt.toISOString(),
    amount: { minor: 4900, currency: 'USD' },
    sequence: 1,
    subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: paidAt.toISOString() },
    ...overrides,
  });

  beforeAll(async () => {
    await api.post('/v1/admin/programs', 'admin', { document: examplePrograms.kiloPass, author: 'operator:test', changeNote: 'launch' }).expect(201);
  });

  it('issues the referrer a Verified Access token of the Kilo Pass program and starts the participant registration', async () => {
    const res = await api
      .post('/v1/widget-tokens', 'storefront', { programKey: PROGRAM, user: { id: id('referrer'), email: 'referrer@example.com', locale: 'en-US' } })
      .expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({ tenantAlias: 'referrals_demo', programId: '51700', widgetId: 'p/51700/w/referrerWidget' });
    const [header, payload] = (res.body.token as string).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'HS256', kid: 'IRAdvocateDemo7138521' });
    expect(payload).toMatchObject({ user: { id: 'referrer@example.com', email: 'referrer@example.com', referable: false } });

    const workflowId = workflowIds.participantRegistration(PROGRAM, id('referrer'));
    expect(res.body.registration).toEqual({ workflowId });
    const started = await api.inspect(workflowId);
    expect(started).toMatchObject({
      type: 'registerParticipant',
      taskQueue: api.taskQueue,
      searchAttributes: { ReferralUserId: id('referrer'), ProgramKey: PROGRAM },
      // Ids only: what Advocate is told (the email above all) is the participant request in PostgreSQL.
      input: { programKey: PROGRAM, product: 'kilo_pass', userId: id('referrer') },
    });
    expect(JSON.stringify(started.input)).not.toContain('referrer@example.com');
    const request = await participantRequestOf(api.db.sequelize, PROGRAM, id('referrer'));
    expect(request?.details).toEqual({ id: 'referrer@example.com', accountId: 'referrer@example.com', email: 'referrer@example.com', locale: 'en-US', cookies: '' });

    // A second token for the same user and program: registration is not started again, the first request stands.
    await api.post('/v1/widget-tokens', 'storefront', { programKey: PROGRAM, user: { id: id('referrer'), email: 'referrer@example.com' } }).expect(200);
    expect((await participantRequestOf(api.db.sequelize, PROGRAM, id('referrer')))?.details).toMatchObject({ locale: 'en-US' });
  });

  it('captures the visitor\'s referral touch with the _saasquatch cookie, without echoing it', async () => {
    // The worker stores the code Advocate returns; the api side registers it as the host would.
    await api.post('/v1/referral-codes', 'storefront', { programKey: PROGRAM, code: code(), userId: id('referrer') }).expect(201);
    const res = await api
      .post('/v1/touches', 'storefront', {
        kind: 'referral',
        anonymousId: id('anon'),
        product: 'kilo_pass',
        programKey: PROGRAM,
        saasquatchCookie: cookie(),
        metadata: { rsCode: code(), rsShareMedium: 'EMAIL' },
        landingPath: '/pricing?_saasquatch=secret#x',
      })
      .expect(201);
    expect(res.body.touch).toMatchObject({ kind: 'referral', status: 'accepted', accepted: true, programKey: PROGRAM });
    expect(res.text).not.toContain(cookie());
    expect(res.text).not.toContain(code());
  });

  it('signs the referee up: the session\'s touch is associated and the referral qualifies with version 1 pinned', async () => {
    const res = await api
      .post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: id('referee'), anonymousId: id('anon'), email: 'referee@example.com' })
      .expect(200);
    expect(res.body).toMatchObject({ outcome: 'referral_recorded', associatedTouches: 1, replayed: false });
    expect(res.body.referral).toMatchObject({ status: 'qualified', programKey: PROGRAM, programVersion: 1, referrerUserId: id('referrer'), refereeUserId: id('referee') });
  });

  it('rewards the first monthly tier_49 payment with 2450 cents pending for each side and starts the referral SALE report', async () => {
    paidAt = new Date();
    const res = await api.post('/v1/events/payment-succeeded', 'billing', payment()).expect(200);
    expect(res.body.conversion).toEqual({
      id: `stripe:${id('in')}`,
      attributionId: expect.any(String),
      winner: 'referral',
      reason: 'referral_only',
      winningTouch: { id: expect.any(String), kind: 'referral' },
    });
    expect(res.body.decision).toMatchObject({ code: 'rewarded', programKey: PROGRAM, programVersion: 1, rule: { index: 0 } });
    expect(res.body.rewards).toHaveLength(2);
    for (const [role, beneficiary] of [['referrer', id('referrer')], ['referee', id('referee')]]) {
      expect(res.body.rewards).toContainEqual(
        expect.objectContaining({ role, beneficiaryId: beneficiary, status: 'pending', kind: 'percent', percent: '50', baseMinor: 4900, amountMinor: 2450, unit: 'USD' }),
      );
    }
    const workflowId = workflowIds.conversionReport(`stripe:${id('in')}`);
    expect(res.body.workflows).toEqual([{ type: 'reportConversion', workflowId }]);
    const report = await api.inspect(workflowId);
    expect(report).toMatchObject({
      type: 'reportConversion',
      taskQueue: api.taskQueue,
      searchAttributes: { ReferralUserId: id('referee'), ProgramKey: PROGRAM },
      memo: { provider: 'stripe', sourcePaymentId: id('in'), winner: 'referral' },
    });
    // The invoice id is the SALE's order id; the referral won, so the affiliate SALE is suppressed.
    expect(report.input).toMatchObject({
      conversionId: `stripe:${id('in')}`,
      provider: 'stripe',
      sourcePaymentId: id('in'),
      userId: id('referee'),
      amountMinor: 4900,
      currency: 'USD',
      attribution: { winner: 'referral', hadAffiliateTouch: false },
    });
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('starts the issuance-bonus workflow with the issuance facts (signalWithStart) and signals the usage threshold to it', async () => {
    const issuanceId = id('iss-1');
    const created = await api
      .post('/v1/events/issuance-created', 'billing', {
        issuanceId,
        subscriberId: id('referee'),
        product: 'kilo_pass',
        programKey: PROGRAM,
        issuanceCreatedAt: paidAt.toISOString(),
        periodEndsAt: new Date(paidAt.getTime() + 30 * 86_400_000).toISOString(),
        interval: 'month',
        subscriptionStatus: 'active',
        issuanceNumber: 1,
        firstTimeSubscriber: true,
        subscriberStartedAt: paidAt.toISOString(),
      })
      .expect(202);
    expect(created.body).toEqual({ issuanceId, workflowId: workflowIds.issuanceBonus(issuanceId), outcome: 'queued' });
    await api
      .post('/v1/events/usage-threshold-crossed', 'billing', { issuanceId, subscriberId: id('referee'), product: 'kilo_pass', crossedAt: new Date().toISOString() })
      .expect(202);
    const workflow = await api.inspect(workflowIds.issuanceBonus(issuanceId));
    expect(workflow).toMatchObject({
      type: 'decideIssuanceBonus',
      input: { issuanceId, subscriberId: id('referee'), product: 'kilo_pass' },
      searchAttributes: { ReferralUserId: id('referee'), ProgramKey: PROGRAM },
    });
    expect(workflow.signals.map((s) => s.name)).toEqual(['issuanceCreated', 'usageThresholdCrossed']);
    // The product's welcome-promo launch cutoff rides with the facts, so the history shows what the decision used.
    expect(workflow.signals[0]!.input).toMatchObject({ issuanceNumber: 1, firstTimeSubscriber: true, interval: 'month', subscriptionStatus: 'active', welcomePromoLaunchCutoffAt: '2026-10-09T00:00:00.000Z' });
  });

  it('shows the referee how they were referred and what they earned', async () => {
    const res = await api.get(`/v1/users/${id('referee')}/summary?product=kilo_pass`, 'storefront').expect(200);
    expect(res.body.referral).toMatchObject({ status: 'qualified', referrerUserId: id('referrer') });
    expect(res.body.rewards).toEqual([expect.objectContaining({ role: 'referee', status: 'pending', amountMinor: 2450 })]);
    expect(res.body.balances).toEqual([{ programKey: PROGRAM, unit: 'USD', balanceMinor: 2450, openRewards: 1 }]);
  });

  it('reports an affiliate SALE with its im_ref click id (kept in PostgreSQL, not in the workflow input) when only an affiliate touch is valid', async () => {
    const clickId = `click-${api.run}-${'x'.repeat(40)}`;
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', userId: id('affiliate-buyer'), product: 'kilo_pass', clickId }).expect(201);
    paidAt = new Date();
    const res = await api
      .post('/v1/events/payment-succeeded', 'billing', payment({ sourcePaymentId: id('in-aff'), userId: id('affiliate-buyer') }))
      .expect(200);
    expect(res.body).toMatchObject({ conversion: { winner: 'affiliate', reason: 'affiliate_only' }, decision: { code: 'not_attributed_to_referral' }, rewards: [] });
    const report = await api.inspect(workflowIds.conversionReport(`stripe:${id('in-aff')}`));
    // The click id (a tracking value) stays in PostgreSQL, where the report activity reads it.
    expect(report.input).toMatchObject({ attribution: { winner: 'affiliate' } });
    expect(JSON.stringify(report.input)).not.toContain(clickId);
    expect(await saleRequestOf(api.db.sequelize, 'stripe', id('in-aff'))).toMatchObject({ userId: id('affiliate-buyer'), clickId });
  });
});
