import { verifyLedger } from '@referrals/ledger';
import { outboxMessagesOf } from '@referrals/outbox';
import { workflowIds } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { useApiHarness } from './testing/api-harness';
import { createKiloPassProgram, kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';

/*
 * Issue 13, items 5, 6, 10 and 14, through the HTTP API on real PostgreSQL: subscription history
 * [99, 100], recorded reasons [error handling 6, 172], the winning touch, and reward records that
 * can be audited on their own [118, 135].
 */

const DAY_MS = 86_400_000;

describe('Kilo Pass records over HTTP (issue 13, items 5, 6, 10, 14)', () => {
  // The server clock, movable backwards so that a touch can be older than the attribution window.
  let clockOffsetMs = 0;
  const api = useApiHarness({ clock: () => new Date(Date.now() + clockOffsetMs) });
  beforeAll(() => createKiloPassProgram(api));
  afterEach(() => {
    clockOffsetMs = 0;
  });

  const pay = (body: Record<string, unknown>) => api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
  const summary = async (userId: string) => (await api.get(`/v1/users/${userId}/summary?product=kilo_pass`, 'storefront').expect(200)).body;
  const conversion = async (conversionId: string) => (await api.get(`/v1/admin/conversions/${encodeURIComponent(conversionId)}`, 'admin').expect(200)).body;
  const notRewarded = async () => (await api.get('/v1/admin/ops?limit=500', 'admin').expect(200)).body.notRewardedConversions as { conversionId: string; reasons: string[]; decisionCode: string }[];
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const subscription = (overrides: Record<string, unknown> = {}) => ({ tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: at(0), ...overrides });

  it('[99, 100] an annual payment, then the first invoice of a new monthly subscription sent with sequence 1, rewards nobody: earlier_subscription', async () => {
    const { referee } = await referKiloPass(api, 'annual');
    const annualAt = at(0);
    const annual = await pay(
      kiloPayment(referee, `in_annual_${api.run}`, { paidAt: annualAt, amount: { minor: 49000, currency: 'USD' }, subscription: subscription({ id: `sub_annual_${api.run}`, interval: 'yearly', startedAt: annualAt }) }),
    );
    expect(annual.body.decision).toMatchObject({ code: 'no_rule_matched', reasons: ['annual_subscription'] });
    expect(annual.body.rewards).toEqual([]);

    const monthlyAt = at(1_000);
    const monthly = await pay(kiloPayment(referee, `in_monthly_${api.run}`, { paidAt: monthlyAt, sequence: 1, subscription: subscription({ id: `sub_monthly_${api.run}`, startedAt: monthlyAt }) }));
    expect(monthly.body.decision).toMatchObject({ code: 'earlier_subscription', reasons: ['earlier_subscription'] });
    expect(monthly.body.decision.explanation.join(' ')).toContain('earlier yearly subscription');
    expect(monthly.body.rewards).toEqual([]);

    // Both payments are in the engine's history, the annual one that rewarded nothing too.
    const history = await api.services.attribution.listSubscriptionPayments({ product: 'kilo_pass', userId: referee });
    expect(history.map((p) => [p.sourcePaymentId, p.interval, p.subscriptionKey])).toEqual([
      [`in_annual_${api.run}`, 'yearly', `id:sub_annual_${api.run}`],
      [`in_monthly_${api.run}`, 'monthly', `id:sub_monthly_${api.run}`],
    ]);
    expect((await summary(referee)).rewards).toEqual([]);
    expect((await summary(referee)).referral).toMatchObject({ status: 'qualified', conversionState: 'not_rewarded', conversionReasons: ['annual_subscription', 'earlier_subscription'] });
  });

  it('[99, 100] the host states an earlier subscription the engine never saw (subscription.hadEarlierSubscription): nobody is rewarded', async () => {
    const { referee } = await referKiloPass(api, 'stated');
    const res = await pay(kiloPayment(referee, `in_stated_${api.run}`, { subscription: subscription({ hadEarlierSubscription: true }) }));
    expect(res.body.decision).toMatchObject({ code: 'earlier_subscription', reasons: ['earlier_subscription'] });
    expect(res.body.decision.explanation).toEqual([expect.stringContaining('the host stated an earlier subscription')]);
    expect(res.body.rewards).toEqual([]);
  });

  it('[99, 104] a first subscription is rewarded; its own renewal is not an earlier subscription, only not the first payment', async () => {
    const { referee } = await referKiloPass(api, 'renewal');
    const startedAt = at(0);
    const first = await pay(kiloPayment(referee, `in_first_${api.run}`, { paidAt: startedAt, subscription: subscription({ startedAt }) }));
    expect(first.body.decision).toMatchObject({ code: 'rewarded', reasons: [] });
    // No subscription id: the same interval and start make the same subscription.
    const renewal = await pay(kiloPayment(referee, `in_renewal_${api.run}`, { paidAt: at(1_000), sequence: 2, subscription: subscription({ startedAt }) }));
    expect(renewal.body.decision).toMatchObject({ code: 'no_rule_matched', reasons: ['not_first_payment'] });
    expect((await summary(referee)).referral).toMatchObject({ conversionState: 'rewarded', conversionReasons: [] });
  });

  it('[error handling 6, 172, 97] a team subscription: the reason is stored on the referral and the conversion, readable through the referral view, the ops view and the conversion endpoint', async () => {
    const { referee } = await referKiloPass(api, 'team');
    const conversionId = `stripe:in_team_${api.run}`;
    const res = await pay(kiloPayment(referee, `in_team_${api.run}`, { subscription: subscription({ kind: 'team' }) }));
    expect(res.body.decision).toMatchObject({ code: 'no_rule_matched', reasons: ['not_personal_subscription'] });

    // Read later, without replaying the event.
    const { referral } = await summary(referee);
    expect(referral).toMatchObject({
      status: 'qualified',
      conversionState: 'not_rewarded',
      conversionReasons: ['not_personal_subscription'],
      conversions: [{ conversionId, attributionId: res.body.conversion.attributionId, decisionCode: 'no_rule_matched', rewarded: false, reasons: ['not_personal_subscription'] }],
    });
    expect(await notRewarded()).toContainEqual(expect.objectContaining({ conversionId, referralId: referral.id, decisionCode: 'no_rule_matched', reasons: ['not_personal_subscription'] }));
    expect((await conversion(conversionId)).outcome).toMatchObject({ decisionCode: 'no_rule_matched', rewarded: false, reasons: ['not_personal_subscription'] });
  });

  it('[error handling 6, 97] a first payment settled by an unsupported provider (App Store) rewards nobody: unsupported_provider is recorded on the referral and the conversion', async () => {
    const { referee } = await referKiloPass(api, 'appstore');
    const conversionId = `app_store:in_appstore_${api.run}`;
    const res = await pay({ ...kiloPayment(referee, `in_appstore_${api.run}`), provider: 'app_store' });
    expect(res.body.decision).toMatchObject({ code: 'unsupported_provider', reasons: ['unsupported_provider'] });
    expect(res.body.rewards).toEqual([]);
    expect((await summary(referee)).referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['unsupported_provider'] });
    expect((await conversion(conversionId)).outcome).toMatchObject({ decisionCode: 'unsupported_provider', rewarded: false, reasons: ['unsupported_provider'] });
  });

  it('[error handling 6, 101] a payment that is not the first (sequence 2) as the first event: not_first_payment is recorded', async () => {
    const { referee } = await referKiloPass(api, 'second');
    const res = await pay(kiloPayment(referee, `in_second_${api.run}`, { sequence: 2 }));
    expect(res.body.decision).toMatchObject({ code: 'no_rule_matched', reasons: ['not_first_payment'] });
    expect((await summary(referee)).referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['not_first_payment'] });
  });

  it('[error handling 6, 31] expired attribution: a referral touch older than 30 days is recorded on the referral as attribution_expired', async () => {
    clockOffsetMs = -31 * DAY_MS; // the touch and the signup happen 31 days ago
    const { referee } = await referKiloPass(api, 'expired');
    clockOffsetMs = 0;
    const conversionId = `stripe:in_expired_${api.run}`;
    const res = await pay(kiloPayment(referee, `in_expired_${api.run}`, { subscription: subscription({ startedAt: at(-DAY_MS) }) }));
    expect(res.body.conversion).toMatchObject({ winner: 'none', reason: 'no_valid_touch', winningTouch: null });
    expect(res.body.decision).toMatchObject({ code: 'not_attributed_to_referral', reasons: ['attribution_expired'] });
    const { referral } = await summary(referee);
    expect(referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['attribution_expired'] });
    const read = await conversion(conversionId);
    expect(read).toMatchObject({ winner: 'none', referralId: referral.id, outcome: { reasons: ['attribution_expired'] }, verdicts: [{ kind: 'referral', verdict: 'expired' }] });
  });

  it('[error handling 6, 111, 172] cap reached: the 6th referee is rewarded, the referrer is capped, and the reason is on the conversion and the referral', async () => {
    const referees: string[] = [];
    const { referee: first } = await referKiloPass(api, 'capA');
    referees.push(first);
    // Five more referees of the same referrer, through its code.
    const code = `capA${api.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
    for (let i = 0; i < 5; i++) {
      const referee = `cap-referee-${i}-${api.run}`;
      await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: `cap-anon-${i}-${api.run}`, product: 'kilo_pass', referralCode: code }).expect(201);
      await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: referee, anonymousId: `cap-anon-${i}-${api.run}`, email: `cap${i}@example.com` }).expect(200);
      referees.push(referee);
    }
    const answers = [];
    for (const [i, referee] of referees.entries()) answers.push((await pay(kiloPayment(referee, `in_cap_${i}_${api.run}`))).body);
    expect(answers.slice(0, 5).map((a) => a.decision.reasons)).toEqual([[], [], [], [], []]);
    const sixth = answers[5];
    expect(sixth.decision).toMatchObject({ code: 'rewarded', reasons: ['referrer_cap_reached'] });
    expect(sixth.rewards.map((r: { role: string; status: string }) => [r.role, r.status]).sort()).toEqual([['referee', 'pending'], ['referrer', 'cap_limited']]);
    expect((await summary(referees[5] ?? '')).referral).toMatchObject({ conversionState: 'rewarded', conversionReasons: ['referrer_cap_reached'] });
    expect((await conversion(`stripe:in_cap_5_${api.run}`)).outcome).toMatchObject({ rewarded: true, reasons: ['referrer_cap_reached'] });
  });

  it('[39, 47] the conversion shows which touch won (its id and kind) and why', async () => {
    const referee = `won-referee-${api.run}`;
    const anonymousId = `won-anon-${api.run}`;
    const code = `WON${api.run}`.toUpperCase();
    await api.post('/v1/referral-codes', 'storefront', { programKey: 'kilo-pass-referrals', code, userId: `won-referrer-${api.run}` }).expect(201);
    const affiliate = await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId, product: 'kilo_pass', clickId: `click-${api.run}` }).expect(201);
    const referral = await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: code }).expect(201);
    await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: referee, anonymousId, email: 'won@example.com' }).expect(200);

    const res = await pay(kiloPayment(referee, `in_won_${api.run}`, { paidAt: at(1_000) }));
    expect(res.body.conversion).toMatchObject({ winner: 'referral', reason: 'referral_over_affiliate', winningTouch: { id: referral.body.touch.id, kind: 'referral' } });
    const read = await conversion(`stripe:in_won_${api.run}`);
    expect(read).toMatchObject({
      winner: 'referral',
      winningTouch: { id: referral.body.touch.id, kind: 'referral' },
      reason: 'referral_over_affiliate',
      reasonText: expect.stringContaining('referral touch won over valid affiliate touches'),
    });
    expect(read.verdicts).toEqual([
      { touchId: affiliate.body.touch.id, kind: 'affiliate', verdict: 'valid' },
      { touchId: referral.body.touch.id, kind: 'referral', verdict: 'valid' },
    ]);
  });

  it('[118, 135] a reward is auditable on its own: source referral and conversion, tier, percent, amount, beneficiary, role, status, expiry, consuming issuance; its conversion is readable by id', async () => {
    const { referee, referrer } = await referKiloPass(api, 'audit');
    const paidAt = at(0);
    const answer = await pay(kiloPayment(referee, `in_audit_${api.run}`, { paidAt, amount: { minor: 19900, currency: 'USD' }, subscription: subscription({ tier: 'tier_199', startedAt: paidAt }) }));
    const referrerReward = answer.body.rewards.find((r: { role: string }) => r.role === 'referrer');

    const { reward } = (await api.get(`/v1/admin/rewards/${referrerReward.id}`, 'admin').expect(200)).body;
    expect(reward).toMatchObject({
      sourceConversionId: `stripe:in_audit_${api.run}`,
      sourceReferralId: answer.body.referral.id,
      sourceTier: 'tier_199',
      kind: 'percent',
      percent: '50',
      baseMinor: 19900,
      amountMinor: 9950,
      unit: 'USD',
      beneficiaryId: referrer,
      role: 'referrer',
      status: 'pending',
      earnedAt: paidAt,
      expiresAt: new Date(Date.parse(paidAt) + 365 * DAY_MS).toISOString(),
      consumedByIssuanceId: null,
      appliedAt: null,
    });

    const read = await conversion(reward.sourceConversionId);
    expect(read).toMatchObject({ id: `stripe:in_audit_${api.run}`, provider: 'stripe', sourceId: `in_audit_${api.run}`, userId: referee, referralId: reward.sourceReferralId, outcome: { decisionCode: 'rewarded', rewarded: true, reasons: [] } });
    expect(read.rewards.map((r: { id: string; sourceTier: string }) => [r.id, r.sourceTier]).sort()).toEqual(answer.body.rewards.map((r: { id: string }) => [r.id, 'tier_199']).sort());
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('[135] a conversion id nothing has is a 404 conversion_not_found; a malformed one a 400 naming the parameter', async () => {
    const missing = await api.get(`/v1/admin/conversions/stripe:in_nothing_${api.run}`, 'admin').expect(404);
    expect(missing.body.error).toMatchObject({ code: 'conversion_not_found' });
    const malformed = await api.get('/v1/admin/conversions/no-provider-separator', 'admin').expect(400);
    expect(malformed.body.error.details).toEqual([expect.objectContaining({ path: 'params.conversionId' })]);
  });

  it('[69, 173] a payment marked as a test rewards nobody and queues no Impact SALE report', async () => {
    const { referee } = await referKiloPass(api, 'testpay');
    const res = await pay(kiloPayment(referee, `in_testpay_${api.run}`, { origin: 'test' }));
    expect(res.body.decision).toMatchObject({ code: 'not_customer_payment', reasons: ['test_payment'] });
    expect(res.body.rewards).toEqual([]);
    expect(res.body.workflows).toEqual([]);
    expect(await outboxMessagesOf(api.db.sequelize, workflowIds.conversionReport(`stripe:in_testpay_${api.run}`))).toEqual([]);
    expect((await summary(referee)).referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['test_payment'] });
  });

  it('[69, 173] an operator marks an admin-created payment eligible before billing sends it (audited): it rewards and queues its SALE report; a recorded conversion cannot be marked', async () => {
    const { referee } = await referKiloPass(api, 'marked');
    const conversionId = `stripe:in_marked_${api.run}`;
    const mark = await api.post(`/v1/admin/conversions/${conversionId}/eligibility`, 'admin', { operator: 'alice@example.com', reason: 'SUP-42 comped by support' }).expect(200);
    expect(mark.body).toMatchObject({ conversionId, operator: 'alice@example.com', reason: 'SUP-42 comped by support', replayed: false });
    // The first mark stands.
    const again = await api.post(`/v1/admin/conversions/${conversionId}/eligibility`, 'admin', { operator: 'bob@example.com', reason: 'other' }).expect(200);
    expect(again.body).toMatchObject({ operator: 'alice@example.com', markedAt: mark.body.markedAt, replayed: true });

    const res = await pay(kiloPayment(referee, `in_marked_${api.run}`, { origin: 'admin_created' }));
    expect(res.body.decision).toMatchObject({ code: 'rewarded', reasons: [] });
    expect(res.body.decision.explanation[0]).toContain('marked eligible by alice@example.com');
    expect(res.body.rewards.map((r: { status: string }) => r.status)).toEqual(['pending', 'pending']);
    expect(res.body.workflows).toEqual([{ type: 'reportConversion', workflowId: workflowIds.conversionReport(conversionId) }]);

    const late = await api.post(`/v1/admin/conversions/stripe:in_testpay_${api.run}/eligibility`, 'admin', { operator: 'alice@example.com', reason: 'too late' }).expect(409);
    expect(late.body.error.code).toBe('conversion_already_recorded');
  });

  it('[173] facts the product\'s catalog does not declare are refused with a 400 naming them, and nothing is written', async () => {
    const { referee } = await referKiloPass(api, 'facts');
    const rows = async () =>
      (await api.db.sequelize.query<{ n: string }>('SELECT (SELECT count(*) FROM attribution_conversions) + (SELECT count(*) FROM attribution_subscription_payments) AS n', { type: QueryTypes.SELECT }))[0]?.n;
    const before = await rows();
    const res = await api
      .post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_facts_${api.run}`, { facts: { referee: { country: 'US', favourite_colour: 'blue' }, coupon: 'X' } }))
      .expect(400);
    expect(res.body.error.code).toBe('fact_undeclared');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.facts.referee.favourite_colour', 'body.facts.coupon']);
    expect(await rows()).toEqual(before);
    // Declared facts are accepted.
    await pay(kiloPayment(referee, `in_facts_ok_${api.run}`, { facts: { referee: { country: 'US' } } }));
  });

  it('[173] a signup\'s facts the catalog does not declare for eligibility are refused with a 400 naming them, and no signup is written', async () => {
    const userId = `facts-signup-${api.run}`;
    const res = await api
      .post('/v1/signups', 'storefront', { product: 'kilo_pass', userId, anonymousId: `anon-${userId}`, email: `${userId}@example.com`, facts: { referee: { favourite_colour: 'blue' } } })
      .expect(400);
    expect(res.body.error.code).toBe('fact_undeclared');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.facts.referee.favourite_colour']);
    const [row] = await api.db.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM attribution_signups WHERE user_id = :userId', { replacements: { userId }, type: QueryTypes.SELECT });
    expect(row?.n).toBe('0');
  });
});
