import request from 'supertest';
import { useApiHarness } from '../testing/api-harness';

describe('GET /metrics', () => {
  const api = useApiHarness();

  it('counts requests by route template and status, and the domain events, in Prometheus format', async () => {
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: 'm1', product: 'kilo_pass', clickId: 'click-1' }).expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', anonymousId: 'm1', product: 'nope!' }).expect(400);
    await api.get('/v1/admin/rewards/123', 'admin').expect(404);
    const res = await request(api.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('http_requests_total{method="POST",route="/v1/touches",status="201"} 1');
    expect(res.text).toContain('http_requests_total{method="POST",route="/v1/touches",status="400"} 1');
    // Ids in paths never become labels: the template does.
    expect(res.text).toContain('route="/v1/admin/rewards/:rewardId",status="404"');
    expect(res.text).not.toContain('/v1/admin/rewards/123');
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/touches",status="201"\}/);
    expect(res.text).toContain('referrals_touches_captured_total{kind="affiliate",status="accepted"} 1');
  });
});
