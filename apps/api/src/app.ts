import express, { type Express } from 'express';
import { type Logger } from 'pino';
import { productRoutes } from './admin/products.router';
import { programRoutes } from './admin/programs.router';
import { adminConsoleRouter } from './admin-console/admin-console.router';
import { conversionRoutes } from './admin/conversions.router';
import { previewRoutes } from './admin/preview.router';
import { opsRoutes } from './admin/ops.router';
import { rewardRoutes } from './admin/rewards.router';
import { scheduleRoutes } from './admin/schedules.router';
import { simulateRoutes } from './admin/simulate.router';
import { userErasureRoutes } from './admin/user-erasure.router';
import { userRoutes } from './admin/users.router';
import { ApiKeyring } from './auth/api-keys';
import { issuanceRoutes } from './billing/issuances.router';
import { lessonRoutes } from './billing/lessons.router';
import { paymentRoutes } from './billing/payments.router';
import { renewalRoutes } from './billing/renewals.router';
import { healthRouter } from './health/health.router';
import { type ReadinessCheck, type ReadinessDetail } from './health/readiness';
import { outboxDetail } from './health/dependency-checks';
import { lastLedgerVerification } from '@referrals/ledger';
import { outboxBacklog } from '@referrals/outbox';
import { ApiRoutes } from './http/api-routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { requestLogging } from './http/request-logging';
import { createApiMetrics, httpMetrics, metricsRouter, registerLedgerVerificationGauges, registerOutboxGauges } from './metrics/metrics';
import { createOpenApiRegistry, docsRouter } from './openapi/openapi';
import { type ApiServices } from './services';
import { signupRoutes } from './storefront/signups.router';
import { summaryRoutes } from './storefront/summary.router';
import { touchRoutes } from './storefront/touches.router';
import { widgetTokenRoutes } from './storefront/widget-tokens.router';

/** Everything the api needs from the outside, so tests build it with real parts of their choosing. */
export interface AppDeps {
  logger: Logger;
  readinessChecks: readonly ReadinessCheck[];
  /** Shown by /readyz without failing it; by default the outbox backlog when the app has services. */
  readinessDetails?: readonly ReadinessDetail[];
  bodyLimit?: string;
  /** The domain endpoints; without them the app serves health, metrics and docs only. */
  services?: ApiServices;
  /** API keys per role; without any, every domain endpoint answers 401. */
  keyring?: ApiKeyring;
}

/**
 * Every group of domain endpoints, in the order they are mounted. The OpenAPI document is built from
 * the same list (`openapi/api-document.ts`), so the served document and the generated client agree.
 */
export const API_ROUTES: readonly ((routes: ApiRoutes, services: ApiServices) => void)[] = [
  touchRoutes,
  signupRoutes,
  widgetTokenRoutes,
  summaryRoutes,
  paymentRoutes,
  lessonRoutes,
  issuanceRoutes,
  renewalRoutes,
  productRoutes,
  programRoutes,
  simulateRoutes,
  previewRoutes,
  rewardRoutes,
  scheduleRoutes,
  conversionRoutes,
  userRoutes,
  opsRoutes,
  userErasureRoutes,
];

/** Builds the Express app from its dependencies; `main.ts` only listens and shuts down. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = deps.services?.metrics ?? createApiMetrics();
  app.use(httpMetrics(metrics));
  app.use(requestLogging(deps.logger));
  app.use(express.json({ limit: deps.bodyLimit ?? '100kb' }));
  const details = deps.readinessDetails ?? (deps.services ? [outboxDetail(deps.services.sequelize)] : []);
  app.use(healthRouter(deps.readinessChecks, details));
  if (deps.services) {
    const { sequelize } = deps.services;
    registerOutboxGauges(metrics, () => outboxBacklog(sequelize));
    registerLedgerVerificationGauges(metrics, () => lastLedgerVerification(sequelize));
  }
  app.use(metricsRouter(metrics));

  const registry = createOpenApiRegistry();
  if (deps.services) {
    const routes = new ApiRoutes(registry, { keyring: deps.keyring ?? new ApiKeyring({}), sequelize: deps.services.sequelize });
    for (const add of API_ROUTES) add(routes, deps.services);
    app.use(routes.router);
  }
  app.use(adminConsoleRouter());
  app.use(docsRouter(registry));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
