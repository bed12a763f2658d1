import { useApiHarness } from '../testing/api-harness';
import { createKiloPassProgram, KILO_PASS_PROGRAM, kiloPayment } from '../testing/kilo-pass-fixtures';

/** Support's user lookup over HTTP, on real PostgreSQL: what a user did and was given, tracking values never in full. */
describe('admin: GET /v1/admin/users/{userId}', () => {
  const api = useApiHarness();
  const referrer = `lookup-referrer-${api.run}`;
  const referee = `lookup-referee-${api.run}`;
  const code = `LOOKUPCODE${api.run}`.toUpperCase();
  const clickId = `click-${'x'.repeat(60)}-${api.run}`;
  const sourcePaymentId = `in_lookup_${api.run}`;

  beforeAll(async () => {
    await createKiloPassProgram(api);
    await api.post('/v1/referral-codes', 'storefront', { programKey: KILO_PASS_PROGRAM, code, userId: referrer }).expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: `anon-${api.run}`, product: 'kilo_pass', clickId }).expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: `anon-${api.run}`, product: 'kilo_pass', referralCode: code }).expect(201);
    await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: referee, anonymousId: `anon-${api.run}`, email: `${api.run}@example.com` }).expect(200);
    await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, sourcePaymentId)).expect(200);
  });

  it("shows the referee's touches shortened, the referral with its program, the conversion with the winning touch and decision, and the reward", async () => {
    const res = await api.get(`/v1/admin/users/${referee}`, 'admin').expect(200);
    expect(JSON.stringify(res.body)).not.toContain(code);
    expect(JSON.stringify(res.body)).not.toContain(clickId);

    const touches = res.body.touches as { id: string; kind: string; referralCode: unknown; clickId: unknown; accepted: boolean }[];
    expect(touches.map((t) => t.kind)).toEqual(['referral', 'affiliate']);
    expect(touches[0]).toMatchObject({ accepted: true, referralCode: { preview: `${code.slice(0, 6)}…`, length: code.length }, clickId: null });
    expect(touches[1]).toMatchObject({ clickId: { preview: 'click-…', length: clickId.length }, referralCode: null });

    expect(res.body.referred).toEqual([expect.objectContaining({ referrerUserId: referrer, refereeUserId: referee, status: 'qualified', programKey: KILO_PASS_PROGRAM })]);
    expect(res.body.referrals).toEqual([]);
    expect(res.body.conversions).toEqual([
      expect.objectContaining({
        id: `stripe:${sourcePaymentId}`,
        winner: 'referral',
        winningTouch: { id: touches[0]?.id, kind: 'referral' },
        outcome: expect.objectContaining({ decisionCode: 'rewarded', rewarded: true }),
      }),
    ]);
    expect(res.body.rewards).toEqual([
      expect.objectContaining({ beneficiaryId: referee, role: 'referee', status: 'pending', amountMinor: 2450, unit: 'USD', sourceConversionId: `stripe:${sourcePaymentId}`, redemption: null }),
    ]);
  });

  it("shows the referrer's referrals made and reward, and nothing of the referee's", async () => {
    const res = await api.get(`/v1/admin/users/${referrer}`, 'admin').expect(200);
    expect(res.body).toMatchObject({ userId: referrer, touches: [], referred: [], conversions: [] });
    expect(res.body.referrals).toEqual([expect.objectContaining({ refereeUserId: referee, status: 'qualified' })]);
    expect(res.body.rewards).toEqual([expect.objectContaining({ beneficiaryId: referrer, role: 'referrer' })]);
  });

  it('answers empty lists for a user nothing is recorded for, 400 with the path for a bad id, and only to admins', async () => {
    expect((await api.get('/v1/admin/users/nobody-at-all', 'admin').expect(200)).body).toEqual({ userId: 'nobody-at-all', touches: [], referred: [], referrals: [], conversions: [], rewards: [] });
    const bad = await api.get(`/v1/admin/users/${'u'.repeat(300)}`, 'admin').expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'params.userId' })]);
    await api.get(`/v1/admin/users/${referee}`, 'storefront').expect(403);
    await api.get(`/v1/admin/users/${referee}`, null).expect(401);
  });
});
