/*
 * Runs outside the workspace against the installed tarball: the typed client against a small
 * HTTP server that answers the first payment 503 with `Retry-After: 0`, then 200. Proves the
 * package imports, sends the key and an Idempotency-Key, and retries with the same key.
 */
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createReferralsClient } from '@referrals/client';

async function main(): Promise<void> {
  const seen: { auth?: string; key?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push({ auth: req.headers.authorization, key: req.headers['idempotency-key'] as string | undefined });
    req.resume();
    if (seen.length === 1) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
      res.end(JSON.stringify({ error: { code: 'database_unavailable', message: 'down' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const api = createReferralsClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'smoke-key-smoke-key-smoke-key' });
    const result = await api.POST('/v1/events/payment-succeeded', { body: {} as never });
    const [first, second] = seen;
    if (result.response.status !== 200 || seen.length !== 2 || !first?.key || first.key !== second?.key || first.auth !== 'Bearer smoke-key-smoke-key-smoke-key') {
      throw new Error(`unexpected: ${JSON.stringify({ status: result.response.status, seen })}`);
    }
    console.log('client: a 503 with Retry-After was retried once with the same Idempotency-Key and the API key');
  } finally {
    server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
