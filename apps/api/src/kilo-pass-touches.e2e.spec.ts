import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { participantRequestOf, saleRequestOf } from '@referrals/impact-sync';
import { listRewards } from '@referrals/ledger';
import { outboxMessagesOf } from '@referrals/outbox';
import { workflowIds } from '@referrals/workflows';
import { useApiHarness } from './testing/api-harness';
import { createKiloPassProgram, KILO_PASS_PROGRAM, kiloPayment } from './testing/kilo-pass-fixtures';

const MINUTE_MS = 60_000;

/**
 * Issue 13 items 7, 8, 9 and 13 over HTTP (real PostgreSQL, the Temporal dev server the outbox is
 * relayed to, the fake Impact server): host-sent times, which touches count, and the referee's
 * Advocate registration queued by the signup. Delivery of that registration by the worker:
 * kilo-pass-touches.worker.e2e.spec.ts.
 */
describe('Kilo Pass touches, event times and signup registration over HTTP (issue 13 items 7, 8, 9, 13)', () => {
  const api = useApiHarness({ fakeImpact: true });
  const id = (name: string) => `${name}-${api.run}`;
  const codeOf = (name: string) => `${name}${api.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const cookieOf = (name: string) => fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code: codeOf(name) });
  const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

  beforeAll(async () => {
    await createKiloPassProgram(api);
  });

  /** A referrer holding a code in the Kilo Pass program (what the referrer's Advocate registration stores). */
  async function referrer(name: string): Promise<string> {
    const userId = id(`${name}-referrer`);
    await api.post('/v1/referral-codes', 'storefront', { programKey: KILO_PASS_PROGRAM, code: codeOf(name), userId }).expect(201);
    return userId;
  }

  const touch = (body: Record<string, unknown>) => api.post('/v1/touches', 'storefront', { product: 'kilo_pass', ...body }).expect(201);
  const signup = (name: string, extra: Record<string, unknown> = {}) =>
    api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: id(`${name}-referee`), anonymousId: id(`${name}-anon`), email: `${id(name)}@example.com`, ...extra });

  /** The error of a refused request: the code and the paths it names. */
  const refusal = (res: { body: { error: { code: string; details: { path: string }[] } } }) => ({
    code: res.body.error.code,
    paths: res.body.error.details.map((d) => d.path),
  });

  describe('event times (item 7)', () => {
    it('[item 7] a paidAt more than 5 minutes ahead of the server clock is refused with 400 time_in_future naming body.paidAt, before anything is written', async () => {
      await referrer('late');
      await touch({ kind: 'referral', anonymousId: id('late-anon'), referralCode: codeOf('late') });
      await signup('late').expect(200);
      const payment = kiloPayment(id('late-referee'), id('late-in'));
      const refused = await api.post('/v1/events/payment-succeeded', 'billing', { ...payment, paidAt: ahead(6 * MINUTE_MS) }).expect(400);
      expect(refusal(refused)).toEqual({ code: 'time_in_future', paths: ['body.paidAt'] });
      // Nothing was recorded under the payment's identity: the same payment, dated now, is its first recording.
      const paid = await api.post('/v1/events/payment-succeeded', 'billing', payment).expect(200);
      expect(paid.body.decision.code).toBe('rewarded');
      expect(await listRewards(api.db.sequelize, { beneficiaryId: id('late-referee') })).toHaveLength(1);
    });

    it('[item 7] a paidAt within the 5-minute skew is accepted', async () => {
      const res = await api.post('/v1/events/payment-succeeded', 'billing', { ...kiloPayment(id('skew-buyer'), id('skew-in')), paidAt: ahead(4 * MINUTE_MS) }).expect(200);
      expect(res.body.conversion.winner).toBe('none');
    });

    it('[item 7] instants before 2000-01-01 are refused with 400 time_too_old naming each field', async () => {
      const payment = kiloPayment(id('old-buyer'), id('old-in'));
      const refused = await api
        .post('/v1/events/payment-succeeded', 'billing', { ...payment, paidAt: '1999-12-31T23:59:59Z', subscription: { ...payment.subscription, startedAt: '1970-01-01T00:00:00Z' } })
        .expect(400);
      expect(refusal(refused)).toEqual({ code: 'time_too_old', paths: ['body.paidAt', 'body.subscription.startedAt'] });
    });

    it('[item 7] a signedUpAt ahead of the clock or before 2000 is refused (400) and the session\'s touches stay unassociated', async () => {
      await referrer('early');
      await touch({ kind: 'referral', anonymousId: id('early-anon'), referralCode: codeOf('early') });
      expect(refusal(await signup('early', { signedUpAt: ahead(60 * MINUTE_MS) }).expect(400))).toEqual({ code: 'time_in_future', paths: ['body.signedUpAt'] });
      expect(refusal(await signup('early', { signedUpAt: '1999-06-01T00:00:00Z' }).expect(400))).toEqual({ code: 'time_too_old', paths: ['body.signedUpAt'] });
      const accepted = await signup('early').expect(200);
      expect(accepted.body).toMatchObject({ outcome: 'referral_recorded', associatedTouches: 1, replayed: false, referral: { status: 'qualified' } });
    });

    it('[item 7] adverse notices, issuances and usage crossings dated ahead are refused (400) naming the field; a period may end ahead', async () => {
      const notice = { noticeId: id('n-1'), provider: 'stripe', sourcePaymentId: id('late-in'), product: 'kilo_pass', kind: 'refund', occurredAt: ahead(10 * MINUTE_MS) };
      expect(refusal(await api.post('/v1/events/adverse-payment', 'billing', notice).expect(400))).toEqual({ code: 'time_in_future', paths: ['body.occurredAt'] });
      // Not recorded: the late payment's rewards are still pending.
      expect((await listRewards(api.db.sequelize, { beneficiaryId: id('late-referee') })).map((r) => r.status)).toEqual(['pending']);

      const issuanceId = id('iss-ahead');
      const issuance = {
        issuanceId,
        subscriberId: id('late-referee'),
        product: 'kilo_pass',
        issuanceCreatedAt: ahead(2 * 86_400_000),
        periodEndsAt: ahead(32 * 86_400_000),
        interval: 'month',
        issuanceNumber: 2,
        firstTimeSubscriber: false,
        subscriberStartedAt: new Date().toISOString(),
        subscriptionStatus: 'active',
      };
      expect(refusal(await api.post('/v1/events/issuance-created', 'billing', issuance).expect(400))).toEqual({ code: 'time_in_future', paths: ['body.issuanceCreatedAt'] });
      const usage = { issuanceId, subscriberId: id('late-referee'), product: 'kilo_pass', crossedAt: ahead(86_400_000) };
      expect(refusal(await api.post('/v1/events/usage-threshold-crossed', 'billing', usage).expect(400))).toEqual({ code: 'time_in_future', paths: ['body.crossedAt'] });
      expect(await outboxMessagesOf(api.db.sequelize, workflowIds.issuanceBonus(issuanceId))).toEqual([]);
      // The same issuance created now, its period ending in 30 days, is queued.
      await api.post('/v1/events/issuance-created', 'billing', { ...issuance, issuanceCreatedAt: new Date().toISOString() }).expect(202);
      expect(await outboxMessagesOf(api.db.sequelize, workflowIds.issuanceBonus(issuanceId))).toHaveLength(1);
    });

    it('[64, 65] a signup dated before its referral touch is recorded as signup_before_touch, not existing_account', async () => {
      await referrer('before');
      await touch({ kind: 'referral', anonymousId: id('before-anon'), referralCode: codeOf('before') });
      const res = await signup('before', { signedUpAt: new Date(Date.now() - 60 * MINUTE_MS).toISOString() }).expect(200);
      expect(res.body.referral).toMatchObject({ status: 'disqualified', reasons: ['signup_before_touch'] });
      const read = await api.get(`/v1/users/${id('before-referee')}/summary?product=kilo_pass`, 'storefront').expect(200);
      expect(read.body.referral).toMatchObject({ reasons: ['signup_before_touch'] });
    });
  });

  /** An affiliate click, then the referral touch of the case, then the signup and a first payment. */
  async function affiliateThenReferral(name: string, referralTouch: Record<string, unknown>) {
    const clickId = `click-${id(name)}`;
    await touch({ kind: 'affiliate', anonymousId: id(`${name}-anon`), clickId });
    await touch({ kind: 'referral', anonymousId: id(`${name}-anon`), ...referralTouch });
    const signedUp = await signup(name).expect(200);
    const paid = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(id(`${name}-referee`), id(`${name}-in`))).expect(200);
    const report = await api.inspect(workflowIds.conversionReport(`stripe:${id(`${name}-in`)}`));
    // The SALE's click id is kept in PostgreSQL (the payment's sale request), not in the workflow input.
    const saleRequest = await saleRequestOf(api.db.sequelize, 'stripe', id(`${name}-in`));
    return { clickId, signedUp: signedUp.body, paid: paid.body, report, saleRequest };
  }

  describe('which touches count (items 8 and 9)', () => {
    it('[28] rsCode and the other link metadata without a _saasquatch value are kept for diagnostics but make no referral: the older affiliate touch wins, nobody is rewarded', async () => {
      const referrerId = await referrer('meta');
      const metadataOnly = await touch({
        kind: 'referral',
        anonymousId: id('meta-probe'),
        programKey: KILO_PASS_PROGRAM,
        metadata: { rsCode: codeOf('meta'), rsShareMedium: 'EMAIL', utm: { source: 'newsletter' } },
        landingPath: '/r/x?rsCode=1',
      });
      expect(metadataOnly.body.touch).toMatchObject({ kind: 'referral', status: 'value_missing', accepted: false });

      const { clickId, signedUp, paid, report, saleRequest } = await affiliateThenReferral('meta', {
        programKey: KILO_PASS_PROGRAM,
        metadata: { rsCode: codeOf('meta'), rsShareMedium: 'EMAIL', utm: { source: 'newsletter' } },
        landingPath: '/r/x',
      });
      expect(signedUp).toMatchObject({ outcome: 'no_referral_touch', referral: null, associatedTouches: 2, registration: null });
      expect(paid).toMatchObject({ conversion: { winner: 'affiliate', reason: 'affiliate_only' }, decision: { code: 'not_attributed_to_referral' }, rewards: [] });
      expect(report.input).toMatchObject({ attribution: { winner: 'affiliate' } });
      expect(saleRequest).toMatchObject({ clickId });
      expect(await listRewards(api.db.sequelize, { beneficiaryId: referrerId })).toEqual([]);
      // Kept for diagnostics, as sent (the landing path sanitized).
      const touches = await api.services.attribution.listTouches({ userId: id('meta-referee') });
      expect(touches.find((t) => t.kind === 'referral')).toMatchObject({
        status: 'value_missing',
        metadata: { rsCode: codeOf('meta'), rsShareMedium: 'EMAIL', utm: { source: 'newsletter' } },
        landingPath: '/r/x',
      });
    });

    it('[28] a native referral code of the engine\'s own program stays a valid referral touch: it resolves its program, wins over the affiliate and rewards both sides', async () => {
      const referrerId = await referrer('native');
      const { signedUp, paid, report } = await affiliateThenReferral('native', { referralCode: codeOf('native') });
      expect(signedUp.referral).toMatchObject({ status: 'qualified', referrerUserId: referrerId, programKey: KILO_PASS_PROGRAM });
      expect(paid).toMatchObject({ conversion: { winner: 'referral', reason: 'referral_over_affiliate' }, decision: { code: 'rewarded' } });
      expect(paid.rewards).toHaveLength(2);
      // The referral won: the affiliate SALE of this payment is suppressed (the report is the referral's).
      expect(report.input).toMatchObject({ attribution: { winner: 'referral' } });
    });

    it('[35] a _saasquatch touch without a program key is diagnostics only: it wins nothing, the affiliate SALE is reported, no referral is disqualified', async () => {
      const cookieOnly = await touch({ kind: 'referral', anonymousId: id('nokey-probe'), saasquatchCookie: cookieOf('nokey') });
      expect(cookieOnly.body.touch).toMatchObject({ status: 'program_unknown', accepted: false, programKey: null });

      const { clickId, signedUp, paid, report, saleRequest } = await affiliateThenReferral('nokey', { saasquatchCookie: cookieOf('nokey') });
      expect(signedUp).toMatchObject({ outcome: 'no_referral_touch', referral: null, registration: null });
      expect(paid).toMatchObject({ conversion: { winner: 'affiliate', reason: 'affiliate_only' }, rewards: [] });
      expect(report.input).toMatchObject({ attribution: { winner: 'affiliate' } });
      expect(saleRequest).toMatchObject({ clickId });
      expect(await api.services.attribution.findReferral({ product: 'kilo_pass', refereeUserId: id('nokey-referee') })).toBeNull();
    });

    it('[35] a native code no program of the product holds resolves no program: diagnostics only', async () => {
      const res = await touch({ kind: 'referral', anonymousId: id('nobody-anon'), referralCode: codeOf('nobody') });
      expect(res.body.touch).toMatchObject({ status: 'program_unknown', accepted: false });
    });
  });

  describe('signup registration (item 13)', () => {
    it('[50, 52, 54] a signup through a _saasquatch touch queues the referee\'s Advocate registration with the cookie in its transaction; the workflow input carries ids only', async () => {
      await referrer('reg');
      const cookie = cookieOf('reg');
      const email = `${id('reg')}@example.com`;
      await touch({ kind: 'referral', anonymousId: id('reg-anon'), programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: codeOf('reg') } });
      const res = await signup('reg').expect(200);
      const workflowId = workflowIds.participantRegistration(KILO_PASS_PROGRAM, id('reg-referee'));
      expect(res.body).toMatchObject({ outcome: 'referral_recorded', referral: { status: 'qualified' }, registration: { workflowId } });
      expect(res.text).not.toContain(cookie);

      // Queued before the signup answered: the outbox row is there, not relayed yet (no relay runs in this harness).
      const [queued, ...more] = await outboxMessagesOf(api.db.sequelize, workflowId);
      expect(more).toEqual([]);
      expect(queued).toMatchObject({ workflowType: 'registerParticipant', relayedAt: null });
      expect(JSON.stringify(queued)).not.toContain(cookie);
      expect(JSON.stringify(queued)).not.toContain(email);
      // What Advocate will be told, stored with it.
      expect(await participantRequestOf(api.db.sequelize, KILO_PASS_PROGRAM, id('reg-referee'))).toMatchObject({
        product: 'kilo_pass',
        details: { id: email, accountId: email, email, cookies: cookie },
      });

      // As Temporal holds it: ids only.
      const started = await api.inspect(workflowId);
      expect(started).toMatchObject({ type: 'registerParticipant', input: { programKey: KILO_PASS_PROGRAM, product: 'kilo_pass', userId: id('reg-referee') } });
      expect(JSON.stringify(started.input)).not.toContain(cookie);
      expect(JSON.stringify(started.input)).not.toContain(email);

      // A replayed signup queues nothing more.
      const replay = await signup('reg').expect(200);
      expect(replay.body).toMatchObject({ replayed: true, registration: null });
      expect(await outboxMessagesOf(api.db.sequelize, workflowId)).toHaveLength(1);
    });

    it('[50] a signup through a native code, or a disqualified one, queues no registration', async () => {
      await referrer('plain');
      await touch({ kind: 'referral', anonymousId: id('plain-anon'), referralCode: codeOf('plain') });
      expect((await signup('plain').expect(200)).body).toMatchObject({ referral: { status: 'qualified' }, registration: null });

      await referrer('self');
      await touch({ kind: 'referral', anonymousId: id('self-anon'), programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookieOf('self'), metadata: { rsCode: codeOf('self') } });
      const self = await signup('self', { userId: id('self-referrer') }).expect(200);
      expect(self.body).toMatchObject({ referral: { status: 'disqualified', reasons: ['self_referral'] }, registration: null });
      expect(await outboxMessagesOf(api.db.sequelize, workflowIds.participantRegistration(KILO_PASS_PROGRAM, id('self-referrer')))).toEqual([]);
    });
  });
});
