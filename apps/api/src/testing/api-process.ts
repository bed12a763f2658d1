import { TEST_KEYS } from './api-harness';
import { startAppProcess } from './app-process';

export interface ApiProcess {
  /** `http://127.0.0.1:<port>` (supertest takes it in place of an app). */
  readonly url: string;
  stop(): Promise<void>;
  /** What the api wrote (JSON lines), for a failing test to show. */
  output(): string;
  /** False once the process exited (on its own or stopped). */
  running(): boolean;
}

/**
 * The real api (`apps/api/src/main.ts`) as a separate process, the way `npm start` runs it, with
 * the harness's keys (TEST_KEYS) on the given port; `env` adds the database, task queue and Impact.
 */
export async function startApiProcess(port: number, env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ApiProcess> {
  const api = await startAppProcess(
    'apps/api/src/main.ts',
    {
      API_PORT: String(port),
      API_KEYS_STOREFRONT: TEST_KEYS.storefront,
      API_KEYS_BILLING: TEST_KEYS.billing,
      API_KEYS_ADMIN: TEST_KEYS.admin,
      EMAIL_HASH_SECRET: 'test-email-hash-secret-0123456789',
      ...env,
    },
    'api listening',
    readyTimeoutMs,
  );
  return {
    url: `http://127.0.0.1:${port}`,
    output: api.output,
    running: () => api.child.exitCode === null && api.child.signalCode === null,
    stop: () => api.stop('SIGTERM'),
  };
}
