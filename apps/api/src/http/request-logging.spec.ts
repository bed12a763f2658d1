import { createLogger } from '../logger';
import { TEST_KEYS, useApiHarness } from '../testing/api-harness';
import { logLineSink } from '../testing/log-lines';
import { redactUrl } from './request-logging';

const { sink, lines } = logLineSink();

describe('request logs', () => {
  const api = useApiHarness({ logger: createLogger('debug', sink) });

  it('never contain API keys, tracking values, emails or Idempotency-Keys, only request ids, routes and statuses', async () => {
    const cookie = `saasquatch-cookie-${'c'.repeat(60)}`;
    const clickId = `im-ref-click-${'k'.repeat(40)}`;
    await api
      .post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: 'log-1', product: 'kilo_pass', saasquatchCookie: cookie, metadata: { rsCode: 'SECRETCODE1' } }, { 'idempotency-key': 'idem-secret-key' })
      .set('x-request-id', 'req-log-0001')
      .expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: 'log-1', product: 'kilo_pass', clickId }).expect(201);
    await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: 'log-user', email: 'private.person@example.com' }).expect(200);
    await api.get(`/v1/users/log-user/summary?product=kilo_pass&im_ref=${clickId}&email=private.person@example.com`, 'storefront').expect(400);
    await api.post('/v1/touches', null, {}).set('x-api-key', 'guessed-key-0123456789abcdefghij').expect(401);

    const log = lines.join('');
    expect(log).toContain('req-log-0001');
    expect(log).toContain('"statusCode":201');
    for (const secret of [cookie, clickId, 'SECRETCODE1', 'private.person@example.com', 'idem-secret-key', 'guessed-key-0123456789abcdefghij', ...Object.values(TEST_KEYS)]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('im_ref=[redacted]');
  });

  it('[184] a touch whose INSERT fails mid-statement logs the SQLSTATE and the constraint, never the _saasquatch cookie among its bind parameters', async () => {
    // A constraint only this test's database has: PostgreSQL refuses the row while the INSERT runs,
    // with the cookie among the statement's parameters and in the failing row's detail.
    await api.db.sequelize.query(`ALTER TABLE attribution_touches ADD CONSTRAINT log_test_refused_anon CHECK (anonymous_id IS DISTINCT FROM 'refused-anon') NOT VALID`);
    const cookie = `saasquatch-refused-${'r'.repeat(60)}`;
    lines.length = 0;
    try {
      const res = await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: 'refused-anon', product: 'kilo_pass', saasquatchCookie: cookie });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await api.db.sequelize.query('ALTER TABLE attribution_touches DROP CONSTRAINT log_test_refused_anon');
    }

    const log = lines.join('');
    expect(log).toContain('"code":"23514"');
    expect(log).toContain('log_test_refused_anon');
    expect(log).not.toContain(cookie);
    expect(log).not.toContain('Failing row');
  });

  it('redacts sensitive query values whatever the route', () => {
    expect(redactUrl('/x?_saasquatch=abc&utm_source=news&im_ref=def&email=a@b.c')).toBe('/x?_saasquatch=[redacted]&utm_source=news&im_ref=[redacted]&email=[redacted]');
  });
});

describe('request logs at warn level (the production default for busy apis)', () => {
  const { sink: warnSink, lines: warnLines } = logLineSink();
  const logger = createLogger('warn', warnSink);
  const api = useApiHarness({ logger });
  const requestLines = () => warnLines.filter((line) => line.includes('"msg":"request completed"'));

  it('writes nothing for a 2xx request and binds no request logger to it; a 4xx request writes one warn line with its request id and status', async () => {
    const child = jest.spyOn(logger, 'child');
    try {
      await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: 'warn-1', product: 'kilo_pass', clickId: 'warn-click-1' }).expect(201);
      expect(requestLines()).toEqual([]);
      // pino serializes a child's bindings when it is made: none is made for a request nothing logs about.
      expect(child).not.toHaveBeenCalled();

      await api.post('/v1/touches', null, {}).set('x-request-id', 'req-warn-0001').expect(401);
      await new Promise((resolve) => setImmediate(resolve));
      expect(requestLines()).toHaveLength(1);
      expect(JSON.parse(requestLines()[0] ?? '{}')).toMatchObject({ level: 40, msg: 'request completed', req: { id: 'req-warn-0001', method: 'POST', url: '/v1/touches' }, res: { statusCode: 401 } });
    } finally {
      child.mockRestore();
    }
  });
});
