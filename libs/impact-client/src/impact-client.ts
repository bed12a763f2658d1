import { type Logger } from 'pino';
import { type AdvocateClient, createAdvocateClient } from './advocate.client';
import { type ImpactConfig } from './impact-config.schema';
import { type HttpDeps } from './impact-http';
import { createImpactLogger } from './impact-logger';
import { createPerformanceClient, type PerformanceClient } from './performance.client';

export interface ImpactClientOptions {
  /** Already validated (see `parseImpactConfig` / `impactConfigFromEnv`). */
  config: ImpactConfig;
  /** Receives one line per call (request id, product, operation, outcome), redacted. */
  logger?: Logger;
  /** Defaults to the global fetch (undici: pooled keep-alive connections). */
  fetch?: typeof globalThis.fetch;
  /** Clock for token expiry and Retry-After dates; tests pin it. */
  now?: () => number;
}

/** Impact for one product: its Advocate program and its Performance account, each maybe disabled. */
export interface ProductImpactClient {
  readonly product: string;
  readonly advocate: AdvocateClient;
  readonly performance: PerformanceClient;
}

export interface ImpactClient {
  /**
   * The clients of one product. An unknown or partly configured product is not an error: its
   * calls answer `disabled` and send nothing. Configuration is looked up by the exact product key,
   * never borrowed from another product.
   */
  forProduct(product: string): ProductImpactClient;
  /** Products with at least one configured API. */
  readonly configuredProducts: readonly string[];
}

export function createImpactClient(options: ImpactClientOptions): ImpactClient {
  const deps: HttpDeps = {
    fetch: options.fetch ?? globalThis.fetch,
    logger: (options.logger ?? createImpactLogger()).child({ component: 'impact-client' }),
    now: options.now ?? Date.now,
    defaultTimeoutMs: options.config.timeoutMs,
  };
  const cache = new Map<string, ProductImpactClient>();
  // Own-property lookup only: a product named like an Object.prototype member must not resolve.
  const configOf = (product: string) =>
    Object.prototype.hasOwnProperty.call(options.config.products, product) ? options.config.products[product] : undefined;

  return {
    configuredProducts: Object.keys(options.config.products),
    forProduct(product: string): ProductImpactClient {
      const existing = cache.get(product);
      if (existing) return existing;
      const config = configOf(product);
      const client: ProductImpactClient = {
        product,
        advocate: createAdvocateClient({
          product,
          config: config?.advocate,
          deps,
          disabledCode: config ? 'impact_advocate_not_configured' : 'impact_product_not_configured',
        }),
        performance: createPerformanceClient({
          product,
          config: config?.performance,
          deps,
          disabledCode: config ? 'impact_performance_not_configured' : 'impact_product_not_configured',
        }),
      };
      cache.set(product, client);
      return client;
    },
  };
}
