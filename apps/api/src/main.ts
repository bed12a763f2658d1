/**
 * Starts the api: configuration, database, Impact, HTTP listener; stops cleanly on signals. The api
 * never calls Temporal: its Temporal work leaves through the outbox, which the worker relays.
 */
import { exitOnConfigError } from '@referrals/config';
import { createImpactClient, impactConfigFromEnv } from '@referrals/impact-client';
import { type Server } from 'node:http';
import { createApp } from './app';
import { ApiKeyring } from './auth/api-keys';
import { loadApiConfig } from './config';
import { connectDatabase } from './connect-database';
import { migrationsCheck, outboxDetail, postgresCheck } from './health/dependency-checks';
import { createLogger } from './logger';
import { createApiMetrics } from './metrics/metrics';
import { allMigrationSources } from './migrations';
import { loadProducts } from './products';
import { createApiServices } from './services';

async function main(): Promise<void> {
  const config = loadApiConfig();
  // The products file (PRODUCTS_FILE, else config/products.json): a bad file stops the boot here.
  const products = loadProducts();
  // Impact configuration per product (IMPACT_KILO_PASS_*); a product without it is disabled, never borrowed.
  const impactConfig = impactConfigFromEnv(process.env, products.filter((p) => p.impact !== null).map((p) => p.impact as string));
  const logger = createLogger(config.LOG_LEVEL);
  for (const warning of config.warnings) logger.warn(warning);
  const sequelize = await connectDatabase(config.DATABASE_URL);
  const metrics = createApiMetrics();
  const services = createApiServices({
    sequelize,
    impact: createImpactClient({ config: impactConfig, logger: logger.child({ component: 'impact' }) }),
    metrics,
    emailHashSecret: config.EMAIL_HASH_SECRET,
    paymentInstrumentHashSecret: config.PAYMENT_INSTRUMENT_HASH_SECRET,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    products,
    maxFutureSkewMs: config.EVENT_TIME_MAX_FUTURE_SKEW_SECONDS * 1000,
    temporalUi: config.TEMPORAL_UI_URL ? { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE } : null,
  });
  const app = createApp({
    logger,
    bodyLimit: config.API_BODY_LIMIT,
    readinessChecks: [postgresCheck(sequelize), migrationsCheck(sequelize, allMigrationSources)],
    readinessDetails: [outboxDetail(sequelize)],
    services,
    keyring: new ApiKeyring(config.API_KEYS),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.API_PORT, config.API_HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  logger.info(
    { url: `http://${config.API_HOST}:${config.API_PORT}`, products: products.map((p) => p.key), impactProducts: impactConfig.products ? Object.keys(impactConfig.products) : [] },
    'api listening',
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    // Stop accepting, let in-flight requests finish, then release the pools.
    server.close(() => {
      void Promise.allSettled([sequelize.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  try {
    exitOnConfigError(error);
  } catch {
    process.stderr.write(`api failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
});
