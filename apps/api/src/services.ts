import { type Attribution, createAttribution, type EligibilityFactsProvider } from '@referrals/attribution';
import { type ImpactClient } from '@referrals/impact-client';
import { createProgramStore, type ProgramStore } from '@referrals/programs';
import { type FactSet } from '@referrals/rule-dsl';
import { hostFacts, referralFacts, type RewardingDeps, type UserErasureDeps } from '@referrals/rewarding';
import { type StartOverrides } from '@referrals/workflows';
import { type Sequelize } from 'sequelize';
import { DEV_PAYMENT_INSTRUMENT_HASH_SECRET } from './config';
import { type ApiMetrics } from './metrics/metrics';
import { createProductRegistry, loadProducts, type ProductConfig, type ProductRegistry } from './products';

/** Everything the endpoints use: the libs wired to one database, one Temporal client, one Impact client. */
export interface ApiServices {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly products: ProductRegistry;
  /** Attribution whose program selection sees only the facts the engine knows. */
  readonly attribution: Attribution;
  /** Attribution whose program selection also sees the host's facts sent with one signup. */
  attributionWith(host: FactSet | undefined): Attribution;
  readonly impact: ImpactClient;
  /**
   * The rewarding use cases (qualifying events, adverse notices, issuance signals, registrations):
   * each is one transaction whose Temporal work leaves through the outbox. The api never calls Temporal.
   */
  readonly rewarding: RewardingDeps;
  /** Erasure and recorded deletions (issue 15): the tombstone secret keys email digests and pseudonyms. */
  readonly privacy: UserErasureDeps;
  /** Task queue for workflow starts (the worker's TEMPORAL_TASK_QUEUE). */
  readonly startOverrides: StartOverrides;
  readonly metrics: ApiMetrics;
  readonly clock: () => Date;
  /** Where operators open a workflow (TEMPORAL_UI_URL and the namespace); null: not configured. */
  readonly temporalUi: TemporalUiLink | null;
}

export interface TemporalUiLink {
  readonly url: string;
  readonly namespace: string;
}

export interface ApiServicesOptions {
  sequelize: Sequelize;
  impact: ImpactClient;
  metrics: ApiMetrics;
  emailHashSecret: string;
  /** HMAC secret of the payment-instrument claims (PAYMENT_INSTRUMENT_HASH_SECRET); default the development value. */
  paymentInstrumentHashSecret?: string;
  taskQueue?: string;
  /** The products served; default: the products file (`PRODUCTS_FILE`, else config/products.json). */
  products?: readonly ProductConfig[];
  /** The server clock (UTC); tests pin it to run programs whose windows are in the past. */
  clock?: () => Date;
  /** How far past the clock a host-sent instant of the past may be (EVENT_TIME_MAX_FUTURE_SKEW_SECONDS); default 5 minutes. */
  maxFutureSkewMs?: number;
  /** The Temporal web UI the admin console links workflows to (TEMPORAL_UI_URL); default: none. */
  temporalUi?: TemporalUiLink | null;
}

export function createApiServices(options: ApiServicesOptions): ApiServices {
  const clock = options.clock ?? (() => new Date());
  const products = createProductRegistry(options.products ?? loadProducts());
  const programs = createProgramStore({ sequelize: options.sequelize, catalogs: products.catalogs, clock });

  /**
   * Program selection asks the host for eligibility facts per candidate program. The host sends
   * them with the signup (toggles, countries...); the engine's own facts (who refers whom, when,
   * a new account) are set over them.
   */
  const eligibilityFacts =
    (host: FactSet | undefined): EligibilityFactsProvider =>
    (request) => {
      const catalog = products.catalogs.get(request.product);
      const facts = hostFacts(host);
      if (!catalog) return facts;
      return referralFacts(catalog, facts, {
        referrerUserId: request.referrerUserId,
        refereeUserId: request.refereeUserId,
        createdAt: request.signedUpAt,
        signedUpAt: request.signedUpAt,
      });
    };
  const attributionWith = (host: FactSet | undefined) =>
    createAttribution({
      sequelize: options.sequelize,
      programs,
      eligibilityFacts: eligibilityFacts(host),
      emailHashSecret: options.emailHashSecret,
      clock,
      ...(options.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: options.maxFutureSkewMs }),
    });

  const attribution = attributionWith(undefined);
  const startOverrides: StartOverrides = options.taskQueue ? { taskQueue: options.taskQueue } : {};
  return {
    sequelize: options.sequelize,
    programs,
    products,
    attribution,
    attributionWith,
    impact: options.impact,
    rewarding: {
      sequelize: options.sequelize,
      programs,
      attribution,
      products,
      startOverrides,
      clock,
      ...(options.maxFutureSkewMs === undefined ? {} : { maxFutureSkewMs: options.maxFutureSkewMs }),
      paymentInstrumentHashSecret: options.paymentInstrumentHashSecret ?? DEV_PAYMENT_INSTRUMENT_HASH_SECRET,
    },
    privacy: { sequelize: options.sequelize, emailHashSecret: options.emailHashSecret, clock },
    startOverrides,
    metrics: options.metrics,
    clock,
    temporalUi: options.temporalUi ?? null,
  };
}
