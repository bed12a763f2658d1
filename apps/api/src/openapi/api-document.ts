import { createImpactClient, parseImpactConfig } from '@referrals/impact-client';
import pino from 'pino';
import { Sequelize } from 'sequelize';
import { API_ROUTES } from '../app';
import { ApiKeyring } from '../auth/api-keys';
import { ApiRoutes } from '../http/api-routes';
import { createApiMetrics } from '../metrics/metrics';
import { type ProductConfig } from '../products';
import { createApiServices } from '../services';
import { createOpenApiRegistry, openApiDocument } from './openapi';

/**
 * The api's OpenAPI document built in-process, without a database or a listening server: the same
 * route list `createApp` mounts, registered on a Sequelize instance that never connects (routes
 * only query when a request arrives). `npm run client:generate` builds the typed client from it.
 */
export function buildApiDocument(options: { products?: readonly ProductConfig[] } = {}): ReturnType<typeof openApiDocument> {
  // Sequelize connects lazily: nothing reaches this address while the routes are only registered.
  const sequelize = new Sequelize('postgres://openapi@127.0.0.1:9/openapi', { logging: false });
  const services = createApiServices({
    sequelize,
    impact: createImpactClient({ config: parseImpactConfig({}), logger: pino({ level: 'silent' }) }),
    metrics: createApiMetrics(),
    emailHashSecret: 'openapi-document-only-0123456789',
    ...(options.products ? { products: options.products } : {}),
  });
  const registry = createOpenApiRegistry();
  const routes = new ApiRoutes(registry, { keyring: new ApiKeyring({}), sequelize });
  for (const add of API_ROUTES) add(routes, services);
  return openApiDocument(registry);
}
