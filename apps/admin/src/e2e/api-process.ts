import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { type Browser, type Page, chromium } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '../../../..');
export const ADMIN_KEY = 'admin-e2e-key-0123456789abcdef0123';
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'apps/admin/test-artifacts');

/** Fails loudly (never skips) when the browser the acceptance tests need is absent. */
/** Headless Chromium as every console test runs it (no sandbox: CI runs as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens the console and signs in with the admin key, until the program list shows. */
export async function signIn(page: Page, api: ApiProcess): Promise<void> {
  await page.goto(`${api.url}/admin/`);
  await page.getByLabel('Admin API key').fill(ADMIN_KEY);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Referral programs' }).waitFor();
}

export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (.ci/run does) — the admin console browser tests cannot run without it`);
  }
}

/** The page as the api serves it: `vite build -c apps/admin/vite.config.mts`. */
export function buildConsole(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'apps/admin/vite.config.mts'], {
    cwd: ROOT,
    stdio: 'pipe',
    // Jest sets NODE_ENV=test; the page is built as it ships (React's production build).
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ApiProcess {
  url: string;
  db: TestDatabase;
  output(): string;
  stop(): Promise<void>;
}

/**
 * The real api (`apps/api/src/main.ts`, as `npm start` runs it) on a fresh migrated database and the
 * test Temporal server, in a process of its own: the admin app never imports the api (apps do not
 * import apps); it meets it over HTTP, as the browser does.
 */
export async function startApi(extraEnv: Record<string, string> = {}): Promise<ApiProcess> {
  const db = await createTestDatabase({ label: 'admin_e2e', migrate: false });
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    DATABASE_URL: db.databaseUrl,
    TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS'] ?? '127.0.0.1:7233',
    TEMPORAL_TASK_QUEUE: `admin-e2e-${port}`,
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    API_KEYS_ADMIN: ADMIN_KEY,
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  execFileSync(process.execPath, ['--import', 'tsx', 'apps/api/src/migrate.main.ts'], { cwd: ROOT, env, stdio: 'pipe' });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await db.drop();
      throw new Error(`the api did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    db,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.drop();
    },
  };
}

/** A call to the api as an admin script would make it (to compare what the page stored). */
export async function apiCall(api: ApiProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Save as the operator does: the Save button opens the diff (and the active-program warning), its confirm button stores. */
export async function saveThroughDialog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save…' }).click();
  await page.locator('dialog[open] [data-save-diff]').waitFor();
  await page.locator('dialog[open] button.primary').click();
}
