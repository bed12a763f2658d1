import { Router } from 'express';
import { checkReadiness, type ReadinessCheck, type ReadinessDetail } from './readiness';

/**
 * `/healthz`: the process is alive (no dependency is consulted, so a database outage never gets
 * the api restarted). `/readyz`: every dependency is usable; 503 names the failing ones.
 */
export function healthRouter(checks: readonly ReadinessCheck[], details: readonly ReadinessDetail[] = []): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(checks, undefined, details);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  return router;
}
