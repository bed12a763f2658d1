import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createReferralsClient, type RetryNotice } from '@referrals/client';
import { createSequelize } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import { createImpactClient, parseImpactConfig } from '@referrals/impact-client';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../app';
import { ApiKeyring } from '../auth/api-keys';
import { createApiMetrics } from '../metrics/metrics';
import { allMigrationSources } from '../migrations';
import { createApiServices } from '../services';
import { TEST_KEYS } from '../testing/api-harness';
import { kiloPayment } from '../testing/kilo-pass-fixtures';
import { TcpProxy } from '../testing/tcp-proxy';

describe('database unavailable (issue 14, item 4)', () => {
  const db = useTestDatabase(allMigrationSources);

  /** The app on a connection that goes through a TCP proxy the test can cut (PostgreSQL "unreachable"). */
  async function appBehindProxy() {
    const target = new URL(db.databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.open();
    const viaProxy = new URL(db.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const sequelize = createSequelize({ databaseUrl: viaProxy.toString(), connectTimeoutMs: 1_000 });
    const services = createApiServices({
      sequelize,
      impact: createImpactClient({ config: parseImpactConfig({}), logger: pino({ level: 'silent' }) }),
      metrics: createApiMetrics(),
      emailHashSecret: 'test-email-hash-secret-0123456789',
    });
    const app = createApp({ logger: pino({ level: 'silent' }), readinessChecks: [], services, keyring: new ApiKeyring(Object.fromEntries(Object.entries(TEST_KEYS).map(([r, k]) => [r, [k]]))) });
    return { proxy, sequelize, app };
  }

  it('answers 503 database_unavailable with Retry-After while PostgreSQL is unreachable, on reads and on billing writes, and serves again once it is back', async () => {
    const { proxy, sequelize, app } = await appBehindProxy();
    const as = (role: keyof typeof TEST_KEYS) => `Bearer ${TEST_KEYS[role]}`;
    try {
      await request(app).get('/v1/admin/programs').set('authorization', as('admin')).expect(200);
      await proxy.cut();
      const read = await request(app).get('/v1/admin/programs').set('authorization', as('admin')).expect(503);
      expect(read.headers['retry-after']).toBe('5');
      expect(read.body.error.code).toBe('database_unavailable');
      const write = await request(app).post('/v1/events/payment-succeeded').set('authorization', as('billing')).send(kiloPayment('u-db-down', 'in_db_down')).expect(503);
      expect(write.body.error.code).toBe('database_unavailable');
      await proxy.open();
      await request(app).get('/v1/admin/programs').set('authorization', as('admin')).expect(200);
    } finally {
      await sequelize.close();
      await proxy.cut();
    }
  }, 30_000);

  it('the typed client rides out the outage: it retries the 503 after its Retry-After and the payment is booked once when PostgreSQL is back', async () => {
    const { proxy, sequelize, app } = await appBehindProxy();
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const notices: RetryNotice[] = [];
    const billing = createReferralsClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiKey: TEST_KEYS.billing,
      // The api asks for 5 s; the test shortens the wait (the cap), and brings PostgreSQL back during it.
      retry: { maxDelayMs: 200 },
      onRetry: (notice) => {
        notices.push(notice);
        void proxy.open();
      },
    });
    try {
      await proxy.cut();
      const payment = kiloPayment('u-client-retry', 'in_client_retry') as never;
      const paid = await billing.POST('/v1/events/payment-succeeded', { body: payment });
      expect(notices).toEqual([expect.objectContaining({ method: 'POST', attempt: 1, delayMs: 200 })]);
      // No program exists in this database: the payment is recorded once, and rewards nobody.
      expect(paid.response.status).toBe(200);
      expect(paid.response.headers.get('idempotent-replayed')).toBeNull();
      expect(paid.data).toMatchObject({ conversion: { id: 'stripe:in_client_retry' }, rewards: [] });
      const again = await billing.POST('/v1/events/payment-succeeded', { body: payment });
      expect(again.response.headers.get('idempotent-replayed')).toBe('true');
      expect(again.data).toEqual(paid.data);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await sequelize.close();
      await proxy.cut();
    }
  }, 30_000);
});
