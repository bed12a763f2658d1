import request from 'supertest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createApp } from './app';
import { createLogger } from './logger';

function capturedLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

describe('createApp', () => {
  it('gives every response a request id, and reuses a sane one sent by the caller', async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), readinessChecks: [] });
    const generated = await request(app).get('/healthz');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const reused = await request(app).get('/healthz').set('x-request-id', 'req-12345678');
    expect(reused.headers['x-request-id']).toBe('req-12345678');
    const replaced = await request(app).get('/healthz').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).not.toBe('bad id with spaces');
  });

  it('answers unknown routes with a structured 404', async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), readinessChecks: [] });
    const res = await request(app).get('/nope').expect(404);
    expect(res.body).toEqual({ error: { code: 'route_not_found', message: 'no route for GET /nope', details: [] } });
  });

  it('rejects malformed JSON with 400 and oversized bodies with 413, in the error shape', async () => {
    const app = createApp({ logger: pino({ level: 'silent' }), readinessChecks: [], bodyLimit: '1kb' });
    const malformed = await request(app).post('/healthz').set('content-type', 'application/json').send('{"a":').expect(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const big = await request(app)
      .post('/healthz')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(5_000) }))
      .expect(413);
    expect(big.body.error.code).toBe('body_too_large');
  });

  it('logs requests with their id but never the authorization header or cookies', async () => {
    const { logger, lines } = capturedLogger();
    const app = createApp({ logger, readinessChecks: [] });
    await request(app)
      .get('/nope')
      .set('authorization', 'Bearer sk_live_supersecret')
      .set('cookie', '_saasquatch=opaque-tracking-value-123')
      .set('x-request-id', 'req-abcdefgh');
    const log = lines.join('');
    expect(log).toContain('req-abcdefgh');
    expect(log).not.toContain('sk_live_supersecret');
    expect(log).not.toContain('opaque-tracking-value-123');
  });
});
