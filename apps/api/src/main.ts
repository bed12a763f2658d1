/** Starts the api: configuration, database, Temporal probe, HTTP listener; stops cleanly on signals. */
import { exitOnConfigError } from '@referrals/config';
import { type Server } from 'node:http';
import { createApp } from './app';
import { loadApiConfig } from './config';
import { connectDatabase } from './connect-database';
import { migrationsCheck, postgresCheck, TemporalProbe } from './health/dependency-checks';
import { createLogger } from './logger';
import { allMigrationSources } from './migrations';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const sequelize = await connectDatabase(config.DATABASE_URL);
  const temporal = new TemporalProbe(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const app = createApp({
    logger,
    bodyLimit: config.API_BODY_LIMIT,
    readinessChecks: [postgresCheck(sequelize), migrationsCheck(sequelize, allMigrationSources), temporal],
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.API_PORT, config.API_HOST, (error?: Error) => (error ? reject(error) : resolve(s)));
  });
  logger.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'api listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    // Stop accepting, let in-flight requests finish, then release the pools.
    server.close(() => {
      void Promise.allSettled([sequelize.close(), temporal.close()]).then(() => process.exit(0));
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
