import request from 'supertest';
import { useApiHarness } from '../testing/api-harness';
import { buildApiDocument } from './api-document';

describe('OpenAPI document and docs page', () => {
  const api = useApiHarness();

  it('documents every endpoint with its roles, request schemas and the error shape, as OpenAPI 3.1', async () => {
    const res = await request(api.app).get('/openapi.json').expect(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { 'x-roles': string[]; requestBody?: unknown; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op['x-roles'].join(',')}`));
    expect(operations.sort()).toEqual(
      [
        'POST /v1/touches storefront',
        'POST /v1/signups storefront',
        'POST /v1/referral-codes storefront',
        'POST /v1/widget-tokens storefront',
        'GET /v1/users/{userId}/summary storefront',
        'POST /v1/events/payment-succeeded billing',
        'POST /v1/events/lesson-completed billing',
        'POST /v1/events/adverse-payment billing',
        'POST /v1/events/issuance-created billing',
        'POST /v1/events/usage-threshold-crossed billing',
        'GET /v1/issuances/{issuanceId} billing,admin',
        'POST /v1/events/renewal-due billing',
        'GET /v1/admin/products admin',
        'GET /v1/admin/programs admin',
        'POST /v1/admin/programs admin',
        'POST /v1/admin/programs/check admin',
        'POST /v1/admin/programs/{key}/preview admin',
        'GET /v1/admin/programs/{key} admin',
        'PUT /v1/admin/programs/{key} admin',
        'GET /v1/admin/programs/{key}/versions admin',
        'GET /v1/admin/programs/{key}/versions/{version} admin',
        'GET /v1/admin/programs/{key}/diff admin',
        'POST /v1/admin/programs/{key}/retire admin',
        'POST /v1/admin/schedules/{name}/run admin',
        'GET /v1/admin/schedule-runs/{runId} admin',
        'POST /v1/admin/simulate admin',
        'GET /v1/admin/rewards admin',
        'GET /v1/admin/rewards/{rewardId} admin',
        'POST /v1/admin/rewards/{rewardId}/resolve admin',
        'GET /v1/admin/conversions/{conversionId} admin',
        'POST /v1/admin/conversions/{conversionId}/eligibility admin',
        'GET /v1/admin/users/{userId} admin',
        'GET /v1/admin/ops admin',
        'GET /v1/admin/ops/deliveries admin',
        'GET /v1/admin/ops/deliveries/{kind}/{businessId}/attempts admin',
        'POST /v1/admin/ops/deliveries/{kind}/{businessId}/requeue admin',
        'POST /v1/admin/users/{userId}/erase admin',
        'POST /v1/users/deletions storefront',
      ].sort(),
    );
    const payment = doc.paths['/v1/events/payment-succeeded']!['post']!;
    expect(Object.keys(payment.responses).sort()).toEqual(['200', '400', '401', '403', '409', '413', '415', '422', '503']);
    // A replayed touch answers 200, a first capture 201: both are documented (the fuzz run checks every answer).
    expect(Object.keys(doc.paths['/v1/touches']!['post']!.responses)).toEqual(expect.arrayContaining(['200', '201', '503']));
    expect(doc.components.schemas).toHaveProperty('PaymentSucceeded');
    expect(doc.components.schemas).toHaveProperty('ErrorResponse');
    expect(JSON.stringify(doc.components.schemas['PaymentSucceeded'])).toContain('"minor"');
  });

  it('documents the bounds PostgreSQL imposes on versions (int4) and the 415 of an unknown Content-Encoding', async () => {
    const doc = (await request(api.app).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; schema: { maximum?: number } }[]; responses: Record<string, unknown> }>>;
    };
    const version = doc.paths['/v1/admin/programs/{key}/versions/{version}']!['get']!.parameters!.find((p) => p.name === 'version');
    expect(version?.schema.maximum).toBe(2147483647);
    expect(Object.keys(doc.paths['/v1/touches']!['post']!.responses)).toContain('415');
    expect(Object.keys(doc.paths['/v1/admin/rewards']!['get']!.responses)).not.toContain('415');
  });

  it('builds in-process (no database, no server) the very document it serves: the typed client is generated from it', async () => {
    const served = (await request(api.app).get('/openapi.json').expect(200)).body as unknown;
    expect(JSON.parse(JSON.stringify(buildApiDocument()))).toEqual(served);
  });

  it('serves the Swagger UI page and its assets from the package (no CDN)', async () => {
    await request(api.app).get('/docs').expect(301).expect('location', '/docs/');
    const page = await request(api.app).get('/docs/').expect(200);
    expect(page.text).toContain('/docs/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    await request(api.app).get('/docs/swagger-ui-bundle.js').expect(200).expect('content-type', /javascript/);
    expect((await request(api.app).get('/docs/initializer.js').expect(200)).text).toContain("url: '/openapi.json'");
  });
});
