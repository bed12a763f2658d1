import express, { type Express } from 'express';
import { type Logger } from 'pino';
import { healthRouter } from './health/health.router';
import { type ReadinessCheck } from './health/readiness';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { requestLogging } from './http/request-logging';

/** Everything the api needs from the outside, so tests build it with real parts of their choosing. */
export interface AppDeps {
  logger: Logger;
  readinessChecks: readonly ReadinessCheck[];
  bodyLimit?: string;
}

/** Builds the Express app from its dependencies; `main.ts` only listens and shuts down. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLogging(deps.logger));
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));
  app.use(healthRouter(deps.readinessChecks));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
