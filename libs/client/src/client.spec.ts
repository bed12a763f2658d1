import http, { type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createReferralsClient, ok, ReferralsApiError, type RetryNotice } from './index';
import { retryAfterMs } from './retry-after';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = { status: number; headers?: Record<string, string>; body: unknown };

/**
 * A real HTTP server on a free loopback port that answers from a script, one answer per request
 * (the last one repeats), and records what it received.
 */
async function scriptedServer(answers: Answer[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = answers[Math.min(received.length - 1, answers.length - 1)]!;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const unavailable = (retryAfter?: string): Answer => ({
  status: 503,
  headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  body: { error: { code: 'database_unavailable', message: 'the database is not reachable', details: [] } },
});

const touch = { kind: 'referral' as const, anonymousId: 'anon-1', product: 'kilo_pass', referralCode: 'FRIEND1' };
const touchAnswer: Answer = { status: 201, body: { touch: { id: 't-1' } } };

describe('@referrals/client over real HTTP', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries a 503 with Retry-After, waiting what it asks, and resends the same body, API key and Idempotency-Key', async () => {
    server = await scriptedServer([unavailable('1'), unavailable('2'), touchAnswer]);
    const waits: number[] = [];
    const notices: RetryNotice[] = [];
    const api = createReferralsClient({
      baseUrl: server.url,
      apiKey: 'storefront-key-0123456789abcdef',
      sleep: async (ms) => void waits.push(ms),
      onRetry: (notice) => notices.push(notice),
    });

    const result = await api.POST('/v1/touches', { body: touch });

    expect(result.response.status).toBe(201);
    expect(result.data).toEqual({ touch: { id: 't-1' } });
    expect(waits).toEqual([1000, 2000]);
    expect(notices.map((n) => [n.method, n.attempt, n.delayMs])).toEqual([
      ['POST', 1, 1000],
      ['POST', 2, 2000],
    ]);
    expect(server.received).toHaveLength(3);
    const keys = server.received.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
    for (const r of server.received) {
      expect(r).toMatchObject({ method: 'POST', url: '/v1/touches' });
      expect(r.headers['authorization']).toBe('Bearer storefront-key-0123456789abcdef');
      expect(JSON.parse(r.body)).toEqual(touch);
    }
  });

  it('really waits: a Retry-After of one second on the real timer, then the answer', async () => {
    server = await scriptedServer([unavailable('1'), touchAnswer]);
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k' });
    const result = await api.POST('/v1/touches', { body: touch });
    expect(result.response.status).toBe(201);
    expect(server.received).toHaveLength(2);
  });

  it('gives up after maxAttempts and answers the last 503 with its error body', async () => {
    server = await scriptedServer([unavailable('0')]);
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k', retry: { maxAttempts: 3 }, sleep: async () => undefined });
    const result = await api.POST('/v1/touches', { body: touch });
    expect(result.response.status).toBe(503);
    expect(result.error).toMatchObject({ error: { code: 'database_unavailable' } });
    expect(server.received).toHaveLength(3);
    expect(() => ok(result)).toThrow(ReferralsApiError);
    expect(() => ok(result)).toThrow('503 database_unavailable');
  });

  it('does not retry a 503 without Retry-After (a dependency not configured) nor any other error', async () => {
    server = await scriptedServer([unavailable(undefined), unavailable('1')]);
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k', sleep: async () => undefined });
    expect((await api.POST('/v1/touches', { body: touch })).response.status).toBe(503);
    expect(server.received).toHaveLength(1);
    await server.close();

    server = await scriptedServer([{ status: 409, body: { error: { code: 'idempotency_key_reused', message: 'x', details: [] } } }, touchAnswer]);
    const again = createReferralsClient({ baseUrl: server.url, apiKey: 'k', sleep: async () => undefined });
    const conflict = await again.POST('/v1/touches', { body: touch });
    expect(conflict.response.status).toBe(409);
    expect(server.received).toHaveLength(1);
  });

  it('caps the wait at maxDelayMs and reads an HTTP-date Retry-After', async () => {
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    server = await scriptedServer([unavailable(inAMinute), touchAnswer]);
    const waits: number[] = [];
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k', retry: { maxDelayMs: 5_000 }, sleep: async (ms) => void waits.push(ms) });
    expect((await api.POST('/v1/touches', { body: touch })).response.status).toBe(201);
    expect(waits).toEqual([5_000]);
  });

  it('keeps a caller\'s Idempotency-Key, and sends none to operations that do not accept one', async () => {
    server = await scriptedServer([touchAnswer, { status: 200, body: { token: 't' } }]);
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k' });
    await api.POST('/v1/touches', { body: touch, params: { header: { 'Idempotency-Key': 'caller-key-1' } } });
    await api.POST('/v1/widget-tokens', { body: { programKey: 'kilo-pass-referrals', user: { id: 'u1', email: 'u1@example.com' } } });
    expect(server.received[0]!.headers['idempotency-key']).toBe('caller-key-1');
    expect(server.received[1]!.headers).not.toHaveProperty('idempotency-key');
  });

  it('gives each call its own Idempotency-Key', async () => {
    server = await scriptedServer([touchAnswer]);
    const api = createReferralsClient({ baseUrl: server.url, apiKey: 'k' });
    await api.POST('/v1/touches', { body: touch });
    await api.POST('/v1/touches', { body: touch });
    expect(server.received[0]!.headers['idempotency-key']).not.toBe(server.received[1]!.headers['idempotency-key']);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  it.each([
    ['5', 5_000],
    ['0', 0],
    ['Thu, 03 Dec 2026 10:00:30 GMT', 30_000],
    ['Thu, 03 Dec 2026 09:00:00 GMT', 0],
  ])('reads %s as %d ms', (header, ms) => expect(retryAfterMs(header, now)).toBe(ms));
  it.each([[null], ['soon'], ['-1']])('reads %s as no invitation to retry', (header) => expect(retryAfterMs(header, now)).toBeNull());
});
