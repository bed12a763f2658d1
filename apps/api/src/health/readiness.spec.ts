import { createSequelize } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import request from 'supertest';
import pino from 'pino';
import { createApp } from '../app';
import { allMigrationSources } from '../migrations';
import { TcpProxy } from '../testing/tcp-proxy';
import { migrationsCheck, outboxDetail, postgresCheck } from './dependency-checks';

const logger = pino({ level: 'silent' });

describe('readiness', () => {
  const migrated = useTestDatabase(allMigrationSources);

  it('GET /healthz answers 200 without consulting any dependency', async () => {
    const app = createApp({ logger, readinessChecks: [{ name: 'postgres', check: () => Promise.reject(new Error('down')) }] });
    await request(app).get('/healthz').expect(200, { status: 'ok' });
  });

  it('GET /readyz is 200 when Postgres answers and migrations are applied, and shows the outbox backlog as a detail', async () => {
    const app = createApp({
      logger,
      readinessChecks: [postgresCheck(migrated.sequelize), migrationsCheck(migrated.sequelize, allMigrationSources)],
      readinessDetails: [outboxDetail(migrated.sequelize)],
    });
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      failing: [],
      checks: { postgres: { ok: true }, migrations: { ok: true } },
      details: { outbox: { rows: 0, oldestAgeSeconds: 0, retrying: 0, lastError: null } },
    });
  });

  it('GET /readyz is 503 naming "migrations" while a migration is pending', async () => {
    const app = createApp({
      logger,
      readinessChecks: [
        postgresCheck(migrated.sequelize),
        migrationsCheck(migrated.sequelize, [...allMigrationSources, { owner: 'later', migrations: [{ name: '209901010000-future', up: async () => undefined, down: async () => undefined }] }]),
      ],
    });
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.failing).toEqual(['migrations']);
    expect(res.body.checks.migrations.error).toContain('later/209901010000-future');
  });

  it('GET /readyz is 503 naming "postgres" while Postgres is unreachable, and 200 again once it is back', async () => {
    const target = new URL(migrated.databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.open();
    const viaProxy = new URL(migrated.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const sequelize = createSequelize({ databaseUrl: viaProxy.toString(), connectTimeoutMs: 1_000 });
    const app = createApp({ logger, readinessChecks: [postgresCheck(sequelize)] });
    try {
      await request(app).get('/readyz').expect(200);
      await proxy.cut();
      const down = await request(app).get('/readyz').expect(503);
      expect(down.body.status).toBe('unavailable');
      expect(down.body.failing).toEqual(['postgres']);
      await proxy.open();
      await request(app).get('/readyz').expect(200);
    } finally {
      await sequelize.close();
      await proxy.cut();
    }
  });

  it('GET /readyz stays 200 with a backlog waiting for Temporal: the outbox is a detail, never a failing check', async () => {
    await migrated.sequelize.query(
      `INSERT INTO outbox_messages (kind, workflow_type, workflow_id, options, dedupe_key, created_at, attempts, last_error)
       VALUES ('start', 'reportConversion', 'conversion-report-x', '{}', 'start:conversion-report-x', now() - interval '90 seconds', 3, 'Temporal away')`,
    );
    const app = createApp({ logger, readinessChecks: [postgresCheck(migrated.sequelize)], readinessDetails: [outboxDetail(migrated.sequelize)] });
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.details.outbox).toMatchObject({ rows: 1, retrying: 1, lastError: 'Temporal away' });
    expect(res.body.details.outbox.oldestAgeSeconds).toBeGreaterThanOrEqual(89);
  });
});
