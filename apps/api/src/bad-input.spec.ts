import { examplePrograms } from '@referrals/rule-dsl';
import { QueryTypes } from 'sequelize';
import { type ApiRole } from './auth/api-keys';
import { useApiHarness } from './testing/api-harness';

/** Acceptance 8: bad input on every endpoint family is a 4xx naming the field, and writes nothing. */
describe('bad input and authorization (acceptance 8)', () => {
  const api = useApiHarness();

  const TABLES = [
    'attribution_touches',
    'attribution_signups',
    'attribution_referrals',
    'attribution_referral_codes',
    'attribution_conversions',
    'ledger_rewards',
    'ledger_adverse_notices',
    'programs',
    'program_versions',
    'idempotency_keys',
  ];
  const rowCounts = async () => {
    const out: Record<string, number> = {};
    for (const table of TABLES) {
      const [row] = await api.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
      out[table] = Number(row?.n);
    }
    return out;
  };

  const now = new Date().toISOString();
  const badDocument = { ...structuredClone(examplePrograms.kiloPass), key: 'bad-shape' } as Record<string, unknown>;
  (badDocument['rewardRules'] as Record<string, unknown>[])[0]!['beneficiary'] = 'everyone';
  const meaninglessDocument = structuredClone(examplePrograms.kiloPass) as unknown as { key: string; rewardRules: { conditions: { subject: string }[] }[] };
  meaninglessDocument.key = 'bad-meaning';
  meaninglessDocument.rewardRules[0]!.conditions[0]!.subject = 'subscription.colour';

  const cases: { name: string; method: 'post' | 'get' | 'put'; path: string; role: ApiRole; body?: unknown; status: number; path_: string; code?: string }[] = [
    { name: 'touch: product is not a product key', method: 'post', path: '/v1/touches', role: 'storefront', body: { kind: 'referral', anonymousId: 'a1', product: 'Kilo Pass!' }, status: 400, path_: 'body.product' },
    { name: 'touch: no anonymousId nor userId', method: 'post', path: '/v1/touches', role: 'storefront', body: { kind: 'affiliate', product: 'kilo_pass', clickId: 'c' }, status: 400, path_: 'body.anonymousId' },
    { name: 'touch: an unknown field', method: 'post', path: '/v1/touches', role: 'storefront', body: { kind: 'referral', anonymousId: 'a1', product: 'kilo_pass', colour: 'red' }, status: 400, path_: 'body.colour' },
    { name: 'touch: a tracking value over 4096 characters', method: 'post', path: '/v1/touches', role: 'storefront', body: { kind: 'referral', anonymousId: 'a1', product: 'kilo_pass', saasquatchCookie: 'x'.repeat(5000) }, status: 400, path_: 'body.saasquatchCookie' },
    { name: 'signup: email is not an address', method: 'post', path: '/v1/signups', role: 'storefront', body: { product: 'kilo_pass', userId: 'u1', email: 'nope' }, status: 400, path_: 'body.email' },
    { name: 'signup: signedUpAt without an offset', method: 'post', path: '/v1/signups', role: 'storefront', body: { product: 'kilo_pass', userId: 'u1', email: 'a@b.c', signedUpAt: '2026-01-01T10:00:00' }, status: 400, path_: 'body.signedUpAt' },
    { name: 'referral code: missing code', method: 'post', path: '/v1/referral-codes', role: 'storefront', body: { programKey: 'kilo-pass-referrals', userId: 'u1' }, status: 400, path_: 'body.code' },
    { name: 'widget token: user email missing', method: 'post', path: '/v1/widget-tokens', role: 'storefront', body: { programKey: 'kilo-pass-referrals', user: { id: 'u1' } }, status: 400, path_: 'body.user.email' },
    { name: 'widget token: unknown program', method: 'post', path: '/v1/widget-tokens', role: 'storefront', body: { programKey: 'no-such-program', user: { id: 'u1', email: 'a@b.c' } }, status: 404, path_: '', code: 'program_not_found' },
    { name: 'summary: product missing', method: 'get', path: '/v1/users/u1/summary', role: 'storefront', status: 400, path_: 'query.product' },
    { name: 'payment: a fractional amount of cents', method: 'post', path: '/v1/events/payment-succeeded', role: 'billing', body: paymentWith({ amount: { minor: 49.5, currency: 'USD' } }), status: 400, path_: 'body.amount.minor' },
    { name: 'payment: an unknown interval', method: 'post', path: '/v1/events/payment-succeeded', role: 'billing', body: paymentWith({ subscription: { tier: 'tier_49', interval: 'weekly', kind: 'personal', startedAt: now } }), status: 400, path_: 'body.subscription.interval' },
    { name: 'payment: an unknown product', method: 'post', path: '/v1/events/payment-succeeded', role: 'billing', body: paymentWith({ product: 'kiloclaw' }), status: 400, path_: 'body.product', code: 'product_unknown' },
    { name: 'lesson: a price that is not a decimal', method: 'post', path: '/v1/events/lesson-completed', role: 'billing', body: { eventId: 'e1', product: 'tutoring', userId: '7', completedAt: now, lesson: { id: 'l', usdAmount: 'forty', durationMinutes: 50, sequence: 1, isTrial: false } }, status: 400, path_: 'body.lesson.usdAmount' },
    { name: 'adverse notice: an unknown kind', method: 'post', path: '/v1/events/adverse-payment', role: 'billing', body: { noticeId: 'n1', provider: 'stripe', sourcePaymentId: 'in_1', product: 'kilo_pass', kind: 'regret', occurredAt: now }, status: 400, path_: 'body.kind' },
    { name: 'issuance: a period that ends before it starts', method: 'post', path: '/v1/events/issuance-created', role: 'billing', body: { issuanceId: 'i1', subscriberId: 'u1', product: 'kilo_pass', issuanceCreatedAt: now, periodEndsAt: '2020-01-01T00:00:00Z', interval: 'month', issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: now }, status: 400, path_: 'body.periodEndsAt' },
    { name: 'usage threshold: crossedAt is not an instant', method: 'post', path: '/v1/events/usage-threshold-crossed', role: 'billing', body: { issuanceId: 'i1', subscriberId: 'u1', product: 'kilo_pass', crossedAt: 'yesterday' }, status: 400, path_: 'body.crossedAt' },
    { name: 'program: a malformed document', method: 'post', path: '/v1/admin/programs', role: 'admin', body: { document: badDocument, author: 'operator:t', changeNote: 'x' }, status: 400, path_: 'body.document.rewardRules[0].beneficiary' },
    { name: 'program: a document that means nothing (unknown fact)', method: 'post', path: '/v1/admin/programs', role: 'admin', body: { document: meaninglessDocument, author: 'operator:t', changeNote: 'x' }, status: 422, path_: 'body.document.rewardRules[0].conditions[0].subject', code: 'program_invalid' },
    { name: 'program update: no expectedVersion', method: 'put', path: '/v1/admin/programs/kilo-pass-referrals', role: 'admin', body: { document: examplePrograms.kiloPass, author: 'operator:t', changeNote: 'x' }, status: 400, path_: 'body.expectedVersion' },
    { name: 'simulate: neither a program nor a document', method: 'post', path: '/v1/admin/simulate', role: 'admin', body: { phase: 'reward', facts: {}, at: now }, status: 400, path_: 'body.programKey' },
    { name: 'rewards: an unknown state', method: 'get', path: '/v1/admin/rewards?status=lost', role: 'admin', status: 400, path_: 'query.status' },
    { name: 'resolve: an unknown decision', method: 'post', path: '/v1/admin/rewards/1/resolve', role: 'admin', body: { decision: 'maybe', operator: 'a', reason: 'r' }, status: 400, path_: 'body.decision' },
    { name: 'resolve: a reward id that is not one', method: 'post', path: '/v1/admin/rewards/abc/resolve', role: 'admin', body: { decision: 'keep', operator: 'a', reason: 'r' }, status: 400, path_: 'params.rewardId' },
    { name: 'resolve: no such reward', method: 'post', path: '/v1/admin/rewards/999/resolve', role: 'admin', body: { decision: 'keep', operator: 'a', reason: 'r' }, status: 404, path_: '', code: 'reward_not_found' },
    { name: 'ops: a limit that is not a number', method: 'get', path: '/v1/admin/ops?limit=many', role: 'admin', status: 400, path_: 'query.limit' },
  ];

  function paymentWith(overrides: Record<string, unknown>) {
    return {
      provider: 'stripe',
      sourcePaymentId: 'in_bad',
      product: 'kilo_pass',
      userId: 'u1',
      paidAt: now,
      amount: { minor: 4900, currency: 'USD' },
      sequence: 1,
      subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: now },
      ...overrides,
    };
  }

  it.each(cases)('$name -> $status at $path_', async ({ method, path, role, body, status, path_, code }) => {
    const before = await rowCounts();
    const call = method === 'get' ? api.get(path, role) : method === 'put' ? api.put(path, role, body) : api.post(path, role, body);
    const res = await call.expect(status);
    expect(res.body.error.code).toBe(code ?? 'request_invalid');
    if (path_) expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path_);
    expect(await rowCounts()).toEqual(before);
  });

  const ADMIN_ENDPOINTS: [string, string][] = [
    ['get', '/v1/admin/programs'],
    ['post', '/v1/admin/programs'],
    ['put', '/v1/admin/programs/kilo-pass-referrals'],
    ['post', '/v1/admin/programs/check'],
    ['get', '/v1/admin/programs/kilo-pass-referrals'],
    ['get', '/v1/admin/programs/kilo-pass-referrals/versions'],
    ['get', '/v1/admin/programs/kilo-pass-referrals/versions/1'],
    ['get', '/v1/admin/programs/kilo-pass-referrals/diff?from=1&to=2'],
    ['post', '/v1/admin/simulate'],
    ['get', '/v1/admin/rewards'],
    ['get', '/v1/admin/rewards/1'],
    ['post', '/v1/admin/rewards/1/resolve'],
    ['get', '/v1/admin/ops'],
    ['get', '/v1/admin/ops/deliveries'],
    ['get', '/v1/admin/ops/deliveries/reward_redemption/1/attempts'],
  ];

  it.each(ADMIN_ENDPOINTS)('never lets a storefront key reach the admin endpoint %s %s (403)', async (method, path) => {
    const res = await (method === 'get' ? api.get(path, 'storefront') : method === 'put' ? api.put(path, 'storefront', {}) : api.post(path, 'storefront', {})).expect(403);
    expect(res.body.error).toEqual({ code: 'role_forbidden', message: expect.stringContaining('storefront'), details: [] });
  });

  it('answers 401 without a key and with an unknown key, and 403 for a billing key on a storefront endpoint', async () => {
    const touch = { kind: 'referral', anonymousId: 'a1', product: 'kilo_pass', referralCode: 'X' };
    expect((await api.post('/v1/touches', null, touch).expect(401)).body.error.code).toBe('api_key_missing');
    const unknown = await api.post('/v1/touches', null, touch).set('authorization', 'Bearer not-a-key-of-ours-0123456789').expect(401);
    expect(unknown.body.error.code).toBe('api_key_unknown');
    expect((await api.post('/v1/touches', 'billing', touch).expect(403)).body.error.code).toBe('role_forbidden');
    expect((await api.post('/v1/events/payment-succeeded', 'storefront', {}).expect(403)).body.error.code).toBe('role_forbidden');
    // X-Api-Key works as well as a bearer token.
    await api.get('/v1/admin/programs', null).set('x-api-key', 'admin-test-key-0123456789abcdef012').expect(200);
  });

  it('replays an Idempotency-Key with the same body and refuses it with another body (409), writing nothing more', async () => {
    const touch = { kind: 'referral', anonymousId: 'idem-1', product: 'kilo_pass', referralCode: 'IDEM' };
    const first = await api.post('/v1/touches', 'storefront', touch, { 'idempotency-key': 'touch-key-1' }).expect(201);
    const again = await api.post('/v1/touches', 'storefront', touch, { 'idempotency-key': 'touch-key-1' }).expect(201);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const before = await rowCounts();
    const reused = await api.post('/v1/touches', 'storefront', { ...touch, anonymousId: 'idem-2' }, { 'idempotency-key': 'touch-key-1' }).expect(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await rowCounts()).toEqual(before);
    const badKey = await api.post('/v1/touches', 'storefront', touch, { 'idempotency-key': 'has spaces' }).expect(400);
    expect(badKey.body.error.details).toEqual([{ path: 'headers.idempotency-key', message: expect.any(String) }]);
  });

  it('refuses bodies over the size limit (413) and malformed JSON (400) in the error shape', async () => {
    const big = await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: 'a', product: 'kilo_pass', landingPath: 'x'.repeat(200_000) }).expect(413);
    expect(big.body.error.code).toBe('body_too_large');
    const malformed = await api.post('/v1/touches', 'storefront', '{"kind":').set('content-type', 'application/json').expect(400);
    expect(malformed.body.error.code).toBe('malformed_json');
  });
});
