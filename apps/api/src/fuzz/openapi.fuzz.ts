import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { examplePrograms } from '@referrals/rule-dsl';
import { TEST_KEYS, useApiHarness } from '../testing/api-harness';
import type { ApiRole } from '../auth/api-keys';

/**
 * API fuzzing: schemathesis generates requests for every operation of the served /openapi.json
 * (valid and invalid ones), once with each role's key, and checks every answer against the
 * document: no 5xx, every status, content type, header and body documented. It runs the real app
 * on a live port over real PostgreSQL. Bounded per role by FUZZ_MAX_SECONDS (default 60 s) and
 * FUZZ_MAX_EXAMPLES per operation (default 25); FUZZ_SEED makes a run reproducible.
 */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_headers_conformance',
  'response_schema_conformance',
].join(',');

const maxSeconds = Number(process.env['FUZZ_MAX_SECONDS'] ?? 60);
const maxExamples = Number(process.env['FUZZ_MAX_EXAMPLES'] ?? 25);
const seed = process.env['FUZZ_SEED'];

async function schemathesis(url: string, role: ApiRole): Promise<{ code: number | null; output: string }> {
  const args = [
    'run', `${url}/openapi.json`,
    '--checks', CHECKS,
    '--max-examples', String(maxExamples),
    '--max-time', String(maxSeconds),
    '--workers', '1',
    '--header', `Authorization: Bearer ${TEST_KEYS[role]}`,
    '--suppress-health-check', 'all',
    '--output-truncate', 'true',
    ...(seed ? ['--seed', seed] : []),
  ];
  const child = spawn(process.env['SCHEMATHESIS_CLI'] ?? 'st', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output };
}

describe('every operation of /openapi.json answers as documented, whatever it is sent (schemathesis)', () => {
  const api = useApiHarness({ fakeImpact: true });
  let server: Server;
  let url: string;

  beforeAll(async () => {
    for (const document of [examplePrograms.kiloPass, examplePrograms.challengeRewards]) {
      await api.post('/v1/admin/programs', 'admin', { document, author: 'operator:fuzz', changeNote: 'fuzz seed' }).expect(201);
    }
    server = api.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    if (server) await once(server, 'close');
  });

  for (const role of ['storefront', 'billing', 'admin'] as const) {
    it(`with the ${role} key: no 5xx and no answer the document does not describe`, async () => {
      const { code, output } = await schemathesis(url, role);
      if (code !== 0) throw new Error(`schemathesis exited with ${code}:\n${output}`);
    }, (maxSeconds + 120) * 1000);
  }
});
