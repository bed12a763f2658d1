import { type RequestHandler, Router } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The api's Prometheus metrics, in a registry of its own (not prom-client's global one), so every
 * app built in a test process starts from zero and nothing is registered twice.
 */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by route template and status', labelNames, registers: [registry] }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route template and status',
      labelNames,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    touches: new Counter({ name: 'referrals_touches_captured_total', help: 'Touches captured, by kind and status', labelNames: ['kind', 'status'], registers: [registry] }),
    signups: new Counter({ name: 'referrals_signups_total', help: 'Signups, by outcome and referral status', labelNames: ['outcome', 'referral_status'], registers: [registry] }),
    conversions: new Counter({
      name: 'referrals_conversions_total',
      help: 'Qualifying events decided (first time only), by event, attribution winner and decision',
      labelNames: ['event', 'winner', 'decision'],
      registers: [registry],
    }),
    rewards: new Counter({ name: 'referrals_rewards_recorded_total', help: 'Reward decisions booked (first time only), by role and status', labelNames: ['role', 'status'], registers: [registry] }),
    replays: new Counter({ name: 'referrals_replayed_requests_total', help: 'Requests answered from a stored answer, by scope kind', labelNames: ['scope'], registers: [registry] }),
    adverse: new Counter({ name: 'referrals_adverse_notices_total', help: 'Adverse payment notices, by kind and effect', labelNames: ['kind', 'effect'], registers: [registry] }),
    widgetTokens: new Counter({ name: 'referrals_widget_tokens_total', help: 'Verified Access tokens, by outcome', labelNames: ['outcome'], registers: [registry] }),
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/**
 * A gauge whose value is read from PostgreSQL at each scrape. prom-client collects gauges
 * concurrently, so each one reads for itself (a gauge set from another's collect would lag a
 * scrape). A failed read, or `undefined`, leaves the last value: a scrape never fails for it.
 */
function scrapedGauge(metrics: ApiMetrics, name: string, help: string, read: () => Promise<number | undefined>): void {
  new Gauge({
    name,
    help,
    registers: [metrics.registry],
    async collect() {
      const value = await read().catch(() => undefined);
      if (value !== undefined) this.set(value);
    },
  });
}

/** The outbox backlog: rows waiting for the relay and the age of the oldest (one indexed query each). */
export function registerOutboxGauges(metrics: ApiMetrics, read: () => Promise<{ rows: number; oldestAgeSeconds: number }>): void {
  scrapedGauge(metrics, 'referrals_outbox_backlog_rows', 'Outbox rows (Temporal work) not relayed yet', async () => (await read()).rows);
  scrapedGauge(metrics, 'referrals_outbox_oldest_age_seconds', 'Age of the oldest outbox row not relayed yet (0 when there is none)', async () => (await read()).oldestAgeSeconds);
}

/**
 * The latest ledger verification (the worker's verify-ledger schedule): how many violations it
 * found and when it ran. Alert on violations > 0 or on a stale check.
 */
export function registerLedgerVerificationGauges(metrics: ApiMetrics, read: () => Promise<{ violationCount: number; checkedAt: Date } | null>): void {
  scrapedGauge(metrics, 'referrals_ledger_violations', 'Violations the latest ledger verification found (0: the books are sound)', async () => (await read())?.violationCount ?? 0);
  scrapedGauge(metrics, 'referrals_ledger_verified_at_seconds', 'Unix time of the latest ledger verification (0 before the first)', async () => {
    const last = await read();
    return last ? last.checkedAt.getTime() / 1000 : 0;
  });
}

/**
 * Counts and times every request by its route TEMPLATE (`/v1/admin/programs/:key`), never the raw
 * URL: ids in paths would make the label set unbounded. Unmatched requests share one label.
 */
export function httpMetrics(metrics: ApiMetrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = req.route?.path;
      const labels = {
        method: req.method,
        route: typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched',
        status: String(res.statusCode),
      };
      metrics.httpRequests.inc(labels);
      end(labels);
    });
    next();
  };
}

export function metricsRouter(metrics: ApiMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
