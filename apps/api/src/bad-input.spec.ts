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
    'ledger_issuance_outcomes',
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
    { name: 'issuance: a period that ends before it starts', method: 'post', path: '/v1/events/issuance-created', role: 'billing', body: { issuanceId: 'i1', subscriberId: 'u1', product: 'kilo_pass', issuanceCreatedAt: now, periodEndsAt: '2020-01-01T00:00:00Z', interval: 'month', subscriptionStatus: 'active', issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: now }, status: 400, path_: 'body.periodEndsAt' },
    { name: 'issuance: an unknown subscription status [107]', method: 'post', path: '/v1/events/issuance-created', role: 'billing', body: { issuanceId: 'i1', subscriberId: 'u1', product: 'kilo_pass', issuanceCreatedAt: now, periodEndsAt: '2099-01-01T00:00:00Z', interval: 'month', subscriptionStatus: 'suspended', issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: now }, status: 400, path_: 'body.subscriptionStatus' },
    { name: 'issuance: the launch cutoff is the product\'s, not the event\'s [132]', method: 'post', path: '/v1/events/issuance-created', role: 'billing', body: { issuanceId: 'i1', subscriberId: 'u1', product: 'kilo_pass', issuanceCreatedAt: now, periodEndsAt: '2099-01-01T00:00:00Z', interval: 'month', subscriptionStatus: 'active', issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: now, promoLaunchCutoffAt: now }, status: 400, path_: 'body.promoLaunchCutoffAt' },
    { name: 'issuance: no event about it was received', method: 'get', path: '/v1/issuances/no-such-issuance', role: 'billing', status: 404, path_: 'params.issuanceId', code: 'issuance_not_found' },
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

  it('issue 14: an Idempotency-Key shared by 10 concurrent requests with 10 different bodies does the work once: one 201, nine 409 that wrote nothing', async () => {
    const before = await rowCounts();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: `shared-key-${i}`, product: 'kilo_pass', referralCode: 'SHARED' }, { 'idempotency-key': 'shared-key-1' }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.error.code)).toEqual(Array(9).fill('idempotency_key_reused'));
    const after = await rowCounts();
    expect(after['attribution_touches']).toBe((before['attribution_touches'] ?? 0) + 1);
  });

  it('issue 14: an Idempotency-Key shared by 10 concurrent requests with the same body does the work once and answers all ten the same bytes', async () => {
    const before = await rowCounts();
    const touch = { kind: 'referral', anonymousId: 'same-key-body', product: 'kilo_pass', referralCode: 'SAME' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.post('/v1/touches', 'storefront', touch, { 'idempotency-key': 'same-key-1' })));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect((await rowCounts())['attribution_touches']).toBe((before['attribution_touches'] ?? 0) + 1);
  });

  it('refuses bodies over the size limit (413) and malformed JSON (400) in the error shape', async () => {
    const big = await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: 'a', product: 'kilo_pass', landingPath: 'x'.repeat(200_000) }).expect(413);
    expect(big.body.error.code).toBe('body_too_large');
    const malformed = await api.post('/v1/touches', 'storefront', '{"kind":').set('content-type', 'application/json').expect(400);
    expect(malformed.body.error.code).toBe('malformed_json');
  });

  describe('no 500 for bad input (issue 14): refused at the HTTP edge, before anything is written', () => {
    const INT4_MAX = 2147483647;
    const INT8_MAX = '9223372036854775807';
    const expectRefused = async (res: { status: number; body: { error: { code: string; details: { path: string }[] } } }, status: number, code: string, path?: string) => {
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
      if (path !== undefined) expect(res.body.error.details.map((d) => d.path)).toContain(path);
    };

    it.each(['%FF%FE', '%zz', '%ED%A0%80', 'a%'])('a malformed percent-escape in the path (%s) is 400 path_malformed, not a URIError 500', async (escape) => {
      const before = await rowCounts();
      await expectRefused(await api.get(`/v1/admin/programs/${escape}`, 'admin'), 400, 'path_malformed', 'path');
      await expectRefused(await api.post(`/v1/admin/rewards/${escape}/resolve`, 'admin', { decision: 'keep', operator: 'a', reason: 'r' }), 400, 'path_malformed', 'path');
      expect(await rowCounts()).toEqual(before);
    });

    it('an unknown Content-Encoding on a request with a body is 415 unsupported_content_encoding and writes nothing', async () => {
      const before = await rowCounts();
      const res = await api
        .post('/v1/touches', 'storefront', JSON.stringify({ kind: 'referral', anonymousId: 'enc-1', product: 'kilo_pass', referralCode: 'X' }))
        .set('content-type', 'application/json')
        .set('content-encoding', 'br-but-not-really');
      await expectRefused(res, 415, 'unsupported_content_encoding', 'headers.content-encoding');
      expect(await rowCounts()).toEqual(before);
    });

    it('a gzip body that is not gzip is 400, not a 500', async () => {
      const res = await api.post('/v1/touches', 'storefront', 'not gzip at all').set('content-type', 'application/json').set('content-encoding', 'gzip');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toEqual(expect.any(String));
    });

    const NUL_CASES: { name: string; method: 'post' | 'get'; path: string; role: ApiRole; body?: unknown; path_: string }[] = [
      { name: 'a NUL byte in a resolve reason', method: 'post', path: '/v1/admin/rewards/1/resolve', role: 'admin', body: { decision: 'keep', operator: 'a', reason: 'r\u0000' }, path_: 'body.reason' },
      { name: 'a NUL byte in a promoCode', method: 'post', path: '/v1/events/payment-succeeded', role: 'billing', body: paymentWith({ sourcePaymentId: 'in_nul', promoCode: 'SAVE\u000010' }), path_: 'body.promoCode' },
      { name: 'a lone surrogate in a userId', method: 'post', path: '/v1/events/payment-succeeded', role: 'billing', body: paymentWith({ sourcePaymentId: 'in_surrogate', userId: 'u\ud800' }), path_: 'body.userId' },
      { name: 'a lone low surrogate in a touch field', method: 'post', path: '/v1/touches', role: 'storefront', body: { kind: 'referral', anonymousId: 'a\udc00', product: 'kilo_pass' }, path_: 'body.anonymousId' },
      { name: 'a NUL byte deep in simulate facts', method: 'post', path: '/v1/admin/simulate', role: 'admin', body: { programKey: 'kilo-pass-referrals', phase: 'reward', facts: { a: [{ b: 'x\u0000' }] }, at: now }, path_: 'body.facts.a[0].b' },
      { name: 'a NUL byte in an object key', method: 'post', path: '/v1/admin/simulate', role: 'admin', body: { programKey: 'kilo-pass-referrals', phase: 'reward', facts: { 'k\u0000': 1 }, at: now }, path_: 'body.facts' },
      { name: 'a NUL byte in a path parameter', method: 'get', path: '/v1/users/u%001/summary?product=kilo_pass', role: 'storefront', path_: 'params.userId' },
      { name: 'a NUL byte in a query parameter', method: 'get', path: '/v1/admin/ops/deliveries?programKey=a%00b', role: 'admin', path_: 'query.programKey' },
    ];

    it.each(NUL_CASES)('$name is 400 naming $path_ and writes nothing', async ({ method, path, role, body, path_ }) => {
      const before = await rowCounts();
      const res = method === 'get' ? await api.get(path, role) : await api.post(path, role, body);
      await expectRefused(res, 400, 'request_invalid', path_);
      expect(await rowCounts()).toEqual(before);
    });

    it('JSON nested deeper than 64 levels is 400 (not a RangeError 500); 60 levels is fine', async () => {
      const nest = (depth: number): unknown => {
        let value: unknown = 1;
        for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { x: value };
        return value;
      };
      const before = await rowCounts();
      const deep = await api.post('/v1/admin/simulate', 'admin', { programKey: 'kilo-pass-referrals', phase: 'reward', facts: { deep: nest(3000) }, at: now });
      await expectRefused(deep, 400, 'request_invalid');
      expect(deep.body.error.details[0].path).toMatch(/^body\.facts\.deep/);
      expect(deep.body.error.details[0].message).toContain('64');
      expect(await rowCounts()).toEqual(before);
      const shallow = await api.post('/v1/admin/simulate', 'admin', { programKey: 'kilo-pass-referrals', phase: 'reward', facts: { deep: nest(60) }, at: now });
      expect(shallow.status).toBeLessThan(500);
      expect(shallow.body.error?.message ?? '').not.toContain('64 levels');
    });

    const NUMBER_CASES: { name: string; method: 'get' | 'post' | 'put'; path: string; body?: unknown; path_: string }[] = [
      { name: 'a program version over int4', method: 'get', path: `/v1/admin/programs/kilo-pass-referrals/versions/${INT4_MAX + 1}`, path_: 'params.version' },
      { name: 'a diff version over int4', method: 'get', path: `/v1/admin/programs/kilo-pass-referrals/diff?from=1&to=${INT4_MAX + 1}`, path_: 'query.to' },
      { name: 'an expectedVersion over int4', method: 'put', path: '/v1/admin/programs/kilo-pass-referrals', body: { document: examplePrograms.kiloPass, author: 'operator:t', changeNote: 'x', expectedVersion: INT4_MAX + 1 }, path_: 'body.expectedVersion' },
      { name: 'a simulate version over int4', method: 'post', path: '/v1/admin/simulate', body: { programKey: 'kilo-pass-referrals', version: INT4_MAX + 1, phase: 'reward', facts: {}, at: now }, path_: 'body.version' },
      { name: 'a reward id over int8', method: 'get', path: '/v1/admin/rewards/9223372036854775808', path_: 'params.rewardId' },
      { name: 'a reward id of 19 nines', method: 'post', path: '/v1/admin/rewards/9999999999999999999/resolve', body: { decision: 'keep', operator: 'a', reason: 'r' }, path_: 'params.rewardId' },
      { name: 'a rewards afterId over int8', method: 'get', path: '/v1/admin/rewards?afterId=9223372036854775808', path_: 'query.afterId' },
      { name: 'a deliveries afterId over int8', method: 'get', path: '/v1/admin/ops/deliveries?afterId=9999999999999999999', path_: 'query.afterId' },
      { name: 'a limit far beyond any int', method: 'get', path: '/v1/admin/rewards?limit=99999999999999999999999', path_: 'query.limit' },
    ];

    it.each(NUMBER_CASES)('$name is 400 at $path_ (PostgreSQL could not hold it)', async ({ method, path, body, path_ }) => {
      const before = await rowCounts();
      const res = method === 'get' ? await api.get(path, 'admin') : method === 'put' ? await api.put(path, 'admin', body) : await api.post(path, 'admin', body);
      await expectRefused(res, 400, 'request_invalid', path_);
      expect(await rowCounts()).toEqual(before);
    });

    it('the largest ids and versions PostgreSQL holds are answered (404, not 400 or 500)', async () => {
      expect((await api.get(`/v1/admin/programs/kilo-pass-referrals/versions/${INT4_MAX}`, 'admin')).status).toBe(404);
      expect((await api.get(`/v1/admin/rewards/${INT8_MAX}`, 'admin')).status).toBe(404);
      expect((await api.get(`/v1/admin/rewards?afterId=${INT8_MAX}`, 'admin')).status).toBe(200);
      expect((await api.get(`/v1/admin/ops/deliveries?afterId=${INT8_MAX}`, 'admin')).status).toBe(200);
    });

    it('GET /v1/users/{userId}/summary?product=nope is 400 product_unknown like every other endpoint', async () => {
      await expectRefused(await api.get('/v1/users/u1/summary?product=nope', 'storefront'), 400, 'product_unknown', 'query.product');
      expect((await api.get('/v1/users/u1/summary?product=kilo_pass', 'storefront')).status).toBe(200);
    });
  });
});
