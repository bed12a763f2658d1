import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { examplePrograms } from '@referrals/rule-dsl';
import { freePort, isPortOpen, waitFor } from './free-port';
import { WORKSPACE_ROOT } from './stack-env';

/**
 * `npm start` end to end, as a user runs it: in its own process group (as in a terminal), with its
 * own data directory and ports; stopped with SIGINT to the whole group, as Ctrl-C does.
 */
interface Launch {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(env: Record<string, string>): Launch {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tools/dev-stack/src/start.main.ts'], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm start (dev stack end to end)', () => {
  jest.setTimeout(240_000);
  let dataDir: string;
  let ports: Record<string, string>;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-start-'));
  });
  // Fresh ports for every launch: a port picked once and reused minutes later may have been taken
  // meanwhile (the dev server itself binds random free ports for its HTTP API and metrics).
  // Four DIFFERENT ports: the OS may hand a just-released free port out again on the next ask.
  beforeEach(async () => {
    const picked = new Set<number>();
    while (picked.size < 4) picked.add(await freePort());
    const [api, postgres, temporal, ui] = [...picked].map(String);
    ports = { API_PORT: api ?? '', POSTGRES_PORT: postgres ?? '', TEMPORAL_PORT: temporal ?? '', TEMPORAL_UI_PORT: ui ?? '' };
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function startAndWaitReady(): Promise<Launch> {
    const run = launch({ DATA_DIR: dataDir, ...ports });
    const exitedEarly = run.exited.then((code) => {
      throw new Error(`npm start exited (${code}) before it was ready:\n${run.output()}`);
    });
    await Promise.race([waitFor('the stack', async () => run.output().includes('Referrals is running'), 180_000, 250), exitedEarly]);
    exitedEarly.catch(() => undefined);
    return run;
  }

  async function stopWithCtrlC(run: Launch): Promise<void> {
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await run.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await isPortOpen(Number(port))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'dev.lock'))).toBe(false);
  }

  it('comes up ready (postgres, migrations, temporal) with the Temporal UI, and Ctrl-C leaves nothing running', async () => {
    const run = await startAndWaitReady();
    const ready = await fetch(`http://127.0.0.1:${ports['API_PORT']}/readyz`);
    expect(ready.status).toBe(200);
    // The api does not need Temporal (its Temporal work leaves through the outbox); the backlog is a detail.
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { postgres: { ok: true }, migrations: { ok: true } }, details: { outbox: { rows: expect.any(Number) } } });
    expect((await fetch(`http://127.0.0.1:${ports['TEMPORAL_UI_PORT']}/`)).status).toBe(200);
    expect(run.output()).toContain(`Temporal UI  http://127.0.0.1:${ports['TEMPORAL_UI_PORT']}`);
    expect(run.output()).toContain('initialising PostgreSQL cluster');

    // Ready to use: the example programs are stored, the admin console is served, and the
    // database URL is in a file for `npm run seed`, never in the output (it holds the password).
    expect(run.output()).toMatch(/\[seed\] seeded kilo-pass-referrals v1 \(inviting \d{4}-\d{2}-\d{2} /);
    expect(run.output()).toMatch(/\[seed\] seeded challenge-based-rewards-student v1 /);
    const adminKey = /API_KEYS_ADMIN=(.+)/.exec(fs.readFileSync(path.join(dataDir, 'dev-api-keys.env'), 'utf8'))?.[1];
    const listed = await fetch(`http://127.0.0.1:${ports['API_PORT']}/v1/admin/programs?status=active`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(((await listed.json()) as { programs: { key: string }[] }).programs.map((p) => p.key).sort()).toEqual([
      'challenge-based-rewards-student',
      'kilo-pass-referrals',
    ]);
    const admin = await fetch(`http://127.0.0.1:${ports['API_PORT']}/admin/?program=kilo-pass-referrals`);
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('<div id="root">');
    const databaseFile = path.join(dataDir, 'dev-database.env');
    expect(fs.readFileSync(databaseFile, 'utf8')).toBe(`DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${ports['POSTGRES_PORT']}/referrals\n`);
    expect(fs.statSync(databaseFile).mode & 0o777).toBe(0o600);
    expect(run.output()).not.toContain('postgres:postgres@');
    await stopWithCtrlC(run);
  });

  it('a second start reuses the data directory (no new cluster, nothing left to migrate or seed)', async () => {
    const run = await startAndWaitReady();
    expect(run.output()).not.toContain('initialising PostgreSQL cluster');
    expect(run.output()).toContain('[migrate] nothing to apply');
    expect(run.output()).toContain('[seed] 3 program(s) stored: examples not seeded');
    await stopWithCtrlC(run);
  });

  it('without Impact credentials it fakes Impact: the banner names the fake, and a widget token registers the participant there', async () => {
    const run = await startAndWaitReady();
    const fakeUrl = /Impact {7}faked \(no IMPACT_\* credentials set\): (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output())?.[1];
    if (!fakeUrl) throw new Error(`no fake Impact line in the banner:\n${run.output()}`);
    const keys = Object.fromEntries(
      fs.readFileSync(path.join(dataDir, 'dev-api-keys.env'), 'utf8').trim().split('\n').map((line) => line.split('=', 2) as [string, string]),
    );
    const api = (method: string, route: string, key: string | undefined, body?: unknown) =>
      fetch(`http://127.0.0.1:${ports['API_PORT']}${route}`, {
        method,
        headers: { authorization: `Bearer ${key ?? ''}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    // Kilo Pass is there already: the first start seeded it.
    const email = 'ada@example.test';
    // Answered 503 impact_*_not_configured when the product is disabled.
    const token = await api('POST', '/v1/widget-tokens', keys['API_KEYS_STOREFRONT'], { programKey: examplePrograms.kiloPass.key, user: { id: 'ada', email } });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ tenantAlias: 'referrals_demo', programId: '51700' });

    // The worker got the fake's configuration too: it registers Ada there and records the delivery.
    await waitFor(
      'the participant in the fake Impact',
      async () => ((await (await fetch(`${fakeUrl}/__fake/state`)).json()) as { participants: { email?: string }[] }).participants.some((p) => p.email === email),
      30_000,
    );
    await waitFor(
      'the succeeded registration delivery',
      async () => {
        const res = await api('GET', '/v1/admin/ops/deliveries?kind=participant_registration&status=succeeded', keys['API_KEYS_ADMIN']);
        return ((await res.json()) as { deliveries: { userId: string }[] }).deliveries.some((d) => d.userId === 'ada');
      },
      30_000,
    );
    await stopWithCtrlC(run);
    expect(await isPortOpen(Number(new URL(fakeUrl).port))).toBe(false);
  });

  it('refuses to start twice on the same data directory while running', async () => {
    const first = await startAndWaitReady();
    const second = launch({ DATA_DIR: dataDir, ...ports });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('is already running');
    expect(first.child.exitCode).toBeNull();
    await stopWithCtrlC(first);
  });

  it('exits non-zero with one line naming a malformed variable', async () => {
    const bad = launch({ DATA_DIR: dataDir, ...ports, POSTGRES_PORT: '54x32' });
    expect(await bad.exited).not.toBe(0);
    expect(bad.output().trim()).toBe('Configuration error: POSTGRES_PORT must be a port number (got "54x32")');
  });
});
