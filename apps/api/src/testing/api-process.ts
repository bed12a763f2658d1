import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { TEST_KEYS } from './api-harness';

const ROOT = path.resolve(__dirname, '../../../..');

export interface ApiProcess {
  /** `http://127.0.0.1:<port>` (supertest takes it in place of an app). */
  readonly url: string;
  stop(): Promise<void>;
  /** What the api wrote (JSON lines), for a failing test to show. */
  output(): string;
}

/**
 * The real api (`apps/api/src/main.ts`) as a separate process, the way `npm start` runs it, with
 * the harness's keys (TEST_KEYS) on the given port; `env` adds the database, task queue and Impact.
 */
export async function startApiProcess(port: number, env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      // info: the readiness line ("api listening") is an info line.
      LOG_LEVEL: 'info',
      API_PORT: String(port),
      API_KEYS_STOREFRONT: TEST_KEYS.storefront,
      API_KEYS_BILLING: TEST_KEYS.billing,
      API_KEYS_ADMIN: TEST_KEYS.admin,
      EMAIL_HASH_SECRET: 'test-email-hash-secret-0123456789',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the api was not listening within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('api listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the api exited (${code}) before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
