import { randomBytes } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createReferralsClient, type ReferralsClient } from '@referrals/client';
import { type ImpactClient, createImpactClient, parseImpactConfig } from '@referrals/impact-client';
import { type FakeImpactServer, startFakeImpact } from '@referrals/impact-client/testing';
import { useTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { Client, Connection } from '@temporalio/client';
import { type Express } from 'express';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import { createApp } from '../app';
import { ApiKeyring, type ApiRole } from '../auth/api-keys';
import { createApiMetrics } from '../metrics/metrics';
import { allMigrationSources } from '../migrations';
import { type ProductConfig } from '../products';
import { type ApiServices, createApiServices } from '../services';
import { createOutboxRelay, type OutboxRelay } from '@referrals/outbox';
import { inspectWorkflow, type InspectedWorkflow } from './workflow-inspection';

/** One key per role, as the api would read them from API_KEYS_*. */
export const TEST_KEYS: Record<ApiRole, string> = {
  storefront: 'storefront-test-key-0123456789abcdef',
  billing: 'billing-test-key-0123456789abcdef0',
  admin: 'admin-test-key-0123456789abcdef012',
};

export interface ApiHarness {
  readonly app: Express;
  readonly services: ApiServices;
  readonly db: TestDatabase;
  /** A client on the test Temporal server, to look at what the api started. */
  readonly temporal: Client;
  /**
   * Relays every due outbox row to the test Temporal server (what the worker's relay does in
   * production), then describes the workflow: what the api queued, as Temporal holds it.
   */
  inspect(workflowId: string): Promise<InspectedWorkflow>;
  /** Relays every due outbox row now (deterministic: no background loop runs in the api harness). */
  relayOutbox(): Promise<number>;
  readonly taskQueue: string;
  /** The fake Impact server, when asked for. */
  readonly fake: FakeImpactServer | undefined;
  /** A suffix unique to this test file, for business ids (workflow ids are global on the server). */
  readonly run: string;
  /** The same app listening on a loopback port: what HTTP clients (`client`) talk to. */
  readonly url: string;
  /** The typed `@referrals/client` with this role's key, on `url` (the storefront's and billing's view of the api). */
  client(role: ApiRole): ReferralsClient;
  post(path: string, role: ApiRole | null, body: unknown, headers?: Record<string, string>): request.Test;
  put(path: string, role: ApiRole | null, body: unknown): request.Test;
  get(path: string, role: ApiRole | null): request.Test;
}

export interface HarnessOptions {
  /** Start the fake Impact server and configure the api's Impact client for its products. */
  fakeImpact?: boolean;
  /** Pin the server clock (programs whose windows are in the past). */
  clock?: () => Date;
  /** The products the api serves (default: the configured ones). */
  products?: readonly ProductConfig[];
  logger?: Logger;
}

/**
 * The api as it runs, minus the listening socket: real PostgreSQL (a fresh database per test
 * file), the real Temporal dev server (a task queue of its own, served by no worker unless the
 * test starts one), the real Impact client against the fake Impact server over HTTP.
 */
export function useApiHarness(options: HarnessOptions = {}): ApiHarness {
  const db = useTestDatabase(allMigrationSources);
  const run = randomBytes(4).toString('hex');
  const taskQueue = `api-test-${run}`;
  let state:
    | { app: Express; services: ApiServices; temporal: Client; connection: Connection; relay: OutboxRelay; server: Server; url: string; fake?: FakeImpactServer }
    | undefined;

  beforeAll(async () => {
    const connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS'] ?? '' });
    const temporal = new Client({ connection, namespace: process.env['TEMPORAL_NAMESPACE'] ?? 'default' });
    const fake = options.fakeImpact ? await startFakeImpact() : undefined;
    const impact: ImpactClient = createImpactClient({
      config: parseImpactConfig(fake ? fake.clientConfig({ timeoutMs: 2_000 }) : {}),
      logger: pino({ level: 'silent' }),
    });
    const metrics = createApiMetrics();
    const services = createApiServices({
      sequelize: db.sequelize,
      impact,
      metrics,
      emailHashSecret: 'test-email-hash-secret-0123456789',
      taskQueue,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.products ? { products: options.products } : {}),
    });
    const app = createApp({
      logger: options.logger ?? pino({ level: 'silent' }),
      readinessChecks: [],
      services,
      keyring: new ApiKeyring(Object.fromEntries(Object.entries(TEST_KEYS).map(([role, key]) => [role, [key]]))),
    });
    const relay = createOutboxRelay({ sequelize: db.sequelize, workflows: temporal.workflow });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(s)));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    state = { app, services, temporal, connection, relay, server, url, ...(fake ? { fake } : {}) };
  }, 60_000);

  afterAll(async () => {
    const server = state?.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await state?.fake?.close();
    await state?.connection.close();
  });

  const current = () => {
    if (!state) throw new Error('the api harness exists only inside tests (after beforeAll)');
    return state;
  };
  const relayOutbox = async () => {
    let total = 0;
    for (;;) {
      const { relayed, failed } = await current().relay.relayOnce();
      total += relayed;
      if (failed > 0) throw new Error('the outbox relay could not reach the test Temporal server');
      if (relayed === 0) return total;
    }
  };
  const auth = (test: request.Test, role: ApiRole | null) => (role ? test.set('authorization', `Bearer ${TEST_KEYS[role]}`) : test);

  return {
    get app() {
      return current().app;
    },
    get services() {
      return current().services;
    },
    db,
    get temporal() {
      return current().temporal;
    },
    taskQueue,
    async inspect(workflowId) {
      await relayOutbox();
      return inspectWorkflow(current().temporal, workflowId);
    },
    relayOutbox,
    get fake() {
      return current().fake;
    },
    run,
    get url() {
      return current().url;
    },
    client: (role) => createReferralsClient({ baseUrl: current().url, apiKey: TEST_KEYS[role] }),
    post: (path, role, body, headers = {}) => auth(request(current().app).post(path).set(headers).send(body as object), role),
    put: (path, role, body) => auth(request(current().app).put(path).send(body as object), role),
    get: (path, role) => auth(request(current().app).get(path), role),
  };
}
