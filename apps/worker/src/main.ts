/**
 * Starts the worker: configuration, database, Impact client, Temporal connection, search
 * attributes, schedules, workflow bundle; serves the task queue until SIGINT/SIGTERM, then drains
 * and exits.
 */
import { createReferralCodeRegistry } from '@referrals/attribution';
import { exitOnConfigError } from '@referrals/config';
import { createSequelize, logSafeError, pingDatabase, redactDatabaseUrl } from '@referrals/db';
import { createImpactClient } from '@referrals/impact-client';
import { createOutboxRelay } from '@referrals/outbox';
import { createProgramStore } from '@referrals/programs';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from './activities';
import { impactPollingOf, loadWorkerConfig, outboxRelaySettingsOf, scheduleIntervalsOf, workflowSettingsOf } from './config';
import { ensureSchedules } from './schedules';
import { ensureSearchAttributes } from './search-attributes';
import { bundleWorkflows } from './workflow-bundle';
import { createReferralsWorker } from './worker';

/**
 * Set once SIGINT/SIGTERM arrived. A Ctrl-C reaches the whole process group at once, so Temporal
 * (and PostgreSQL) may be going away while the worker drains or is still booting: then a lost
 * connection is the expected end, not a failure.
 */
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void (stopping = true));

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  // A database error is logged without its statement, bind parameters or row values (a cookie or an email).
  const safeError = (error: unknown) => logSafeError(pino.stdSerializers.err(error as Error));
  const logger = pino({ level: config.LOG_LEVEL, serializers: { err: safeError, error: safeError }, base: { service: 'worker' } });
  // The SDK's own log lines go through pino too, at warn and above unless LOG_LEVEL asks for more.
  const sdkLevel: LogLevel = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN';
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
      const level = entry.level === 'TRACE' || entry.level === 'DEBUG' ? 'debug' : entry.level === 'INFO' ? 'info' : entry.level === 'WARN' ? 'warn' : 'error';
      logger[level]({ sdk: true, ...entry.meta }, entry.message);
    }),
  });
  const sequelize = createSequelize({ databaseUrl: config.DATABASE_URL });
  await pingDatabase(sequelize, 5_000).catch((error: unknown) => {
    throw new Error(`DATABASE_URL cannot be reached (${redactDatabaseUrl(config.DATABASE_URL)}): ${(error as Error).message}`);
  });

  const impact = createImpactClient({ config: config.impact, logger });
  const disabled = config.IMPACT_PRODUCTS.filter((p) => !impact.configuredProducts.includes(p));
  logger.info(
    { configured: impact.configuredProducts, disabled },
    disabled.length ? 'Impact is disabled for some products: their deliveries are recorded as disabled' : 'Impact configured',
  );

  // The relay's calls go through this connection: after Temporal was away, gRPC's reconnect
  // backoff (up to 2 minutes by default) would keep it failing long after Temporal is back. Cap
  // it at the relay's own retry ceiling.
  const admin = await Connection.connect({
    address: config.TEMPORAL_ADDRESS,
    channelArgs: { 'grpc.max_reconnect_backoff_ms': Math.max(1_000, outboxRelaySettingsOf(config).retryMaxMs) },
  });
  const added = await ensureSearchAttributes(admin, config.TEMPORAL_NAMESPACE);
  if (added.length) logger.info({ added }, 'registered search attributes');
  if (config.SCHEDULES_ENABLED) {
    const client = new Client({ connection: admin, namespace: config.TEMPORAL_NAMESPACE });
    const schedules = await ensureSchedules(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, intervals: scheduleIntervalsOf(config) });
    logger.info({ schedules }, 'schedules ensured');
  }
  // The outbox relay: the api's Temporal work (written in its transactions) started or signalled
  // by business id. Its client keeps this connection; it is closed after the worker drained.
  const relay = config.OUTBOX_RELAY_ENABLED
    ? createOutboxRelay({
        sequelize,
        workflows: new Client({ connection: admin, namespace: config.TEMPORAL_NAMESPACE }).workflow,
        ...outboxRelaySettingsOf(config),
        log: (level, fields, message) => logger[level]({ component: 'outbox-relay', ...fields }, message),
      })
    : undefined;

  const started = Date.now();
  // The production image ships the bundle prebuilt: no webpack (time, memory) at start.
  const workflowBundle = config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : await bundleWorkflows();
  if (config.WORKFLOW_BUNDLE_PATH) logger.info({ codePath: config.WORKFLOW_BUNDLE_PATH }, 'prebuilt workflow bundle');
  else logger.info({ ms: Date.now() - started }, 'workflow bundle built');
  if (stopping) {
    await admin.close();
    await sequelize.close();
    logger.info('stopped before serving');
    return;
  }

  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await createReferralsWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities: createActivities({
      sequelize,
      impact,
      referralCodes: createReferralCodeRegistry({ sequelize, programs: createProgramStore({ sequelize, catalogs: config.products.catalogs }) }),
      settings: workflowSettingsOf(config),
      polling: impactPollingOf(config),
      clock: () => new Date(),
    }),
    workflowBundle,
  });
  await relay?.start();
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, address: config.TEMPORAL_ADDRESS, outboxRelay: Boolean(relay) }, 'worker serving');
  // The SDK's Runtime installs SIGINT/SIGTERM handlers that shut the worker down gracefully;
  // run() resolves once in-flight tasks finished.
  await worker.run();
  await relay?.stop();
  await admin.close();
  await connection.close();
  await sequelize.close();
  logger.info('worker stopped');
}

main().catch((error: unknown) => {
  if (stopping) {
    process.stderr.write(`worker stopped while its dependencies went away: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(0);
  }
  try {
    exitOnConfigError(error);
  } catch {
    process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
});
