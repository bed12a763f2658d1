import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createReferralsClient, ok } from '@referrals/client';
import net from 'node:net';
import { examplePrograms } from '@referrals/rule-dsl';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
const DAY_MS = 86_400_000;
const KILO_PASS_PROGRAM = 'kilo-pass-referrals';
const CHALLENGE_PROGRAM = 'challenge-based-rewards-student';

/** A port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A workspace script as a user runs it: its own process group, a clean environment plus `env`. */
function run(script: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
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

async function until(what: string, probe: () => boolean, timeoutMs: number, running: Running): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (running.child.exitCode !== null) throw new Error(`${what}: the process exited (${running.child.exitCode}):\n${running.output()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms:\n${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The Challenge example's windows as seeded today would be: open now. (The stored example's
 * windows are in 2025; `npm start`'s own seeding is being made relative to today in another change.)
 */
function challengeOpenToday() {
  const now = Date.now();
  return {
    ...examplePrograms.challengeRewards,
    schedule: {
      startAt: new Date(now - DAY_MS).toISOString(),
      frozenAt: new Date(now + 60 * DAY_MS).toISOString(),
      endAt: new Date(now + 90 * DAY_MS).toISOString(),
    },
  };
}

describe('npm run demo against the stack `npm start` runs', () => {
  jest.setTimeout(300_000);
  let dataDir: string;
  let stack: Running | undefined;
  const ports: Record<string, string> = {};

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-demo-'));
    const picked = new Set<number>();
    while (picked.size < 4) picked.add(await freePort());
    const [api, postgres, temporal, ui] = [...picked].map(String);
    Object.assign(ports, { API_PORT: api, POSTGRES_PORT: postgres, TEMPORAL_PORT: temporal, TEMPORAL_UI_PORT: ui });
    stack = run('tools/dev-stack/src/start.main.ts', { DATA_DIR: dataDir, ...ports });
    await until('npm start ready', () => stack!.output().includes('Referrals is running'), 120_000, stack);

    // The example programs, unless the launcher stored them already.
    const keys = Object.fromEntries(
      fs.readFileSync(path.join(dataDir, 'dev-api-keys.env'), 'utf8').trim().split('\n').map((line) => line.split('=') as [string, string]),
    );
    const admin = createReferralsClient({ baseUrl: `http://127.0.0.1:${ports['API_PORT']}`, apiKey: keys['API_KEYS_ADMIN']! });
    const stored = ok(await admin.GET('/v1/admin/programs')).programs.map((p) => p.key);
    for (const document of [examplePrograms.kiloPass, challengeOpenToday()]) {
      if (!stored.includes(document.key)) ok(await admin.POST('/v1/admin/programs', { body: { document, author: 'operator:demo-test', changeNote: 'demo test' } }));
    }
  });

  afterAll(async () => {
    if (stack?.child.pid && stack.child.exitCode === null) {
      // Ctrl-C, as a user stops it: everything the stack started stops with it.
      process.kill(-stack.child.pid, 'SIGINT');
      expect(await stack.exited).toBe(0);
      // The URLs file is gone with the stack: a later demo does not call a stack that stopped.
      expect(fs.existsSync(path.join(dataDir, 'dev-stack.json'))).toBe(false);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks a Kilo Pass referral to its redemption in the fake Impact and a Challenge lesson, a line per step, with the rewards and the links', async () => {
    // Only DATA_DIR: the demo finds the api, the keys, the Temporal UI and the fake Impact from what `npm start` wrote.
    const demo = run('tools/demo/src/demo.main.ts', { DATA_DIR: dataDir });
    const code = await demo.exited;
    const out = demo.output();
    expect({ code, out }).toMatchObject({ code: 0 });

    // A progress line per step, each followed by what it got.
    for (let step = 1; step <= 13; step++) expect(out).toContain(`[${String(step).padStart(2)}/13]`);
    expect(out).toMatch(/referral qualified: demo-referrer-\d+ → demo-referee-\d+, program kilo-pass-referrals v1/);
    expect(out).toMatch(/decision rewarded .*rewards: referrer demo-referrer-\d+: 24\.50 USD pending; referee demo-referee-\d+: 24\.50 USD pending/);
    expect(out).toMatch(/referral SALE kilo_pass:stripe:in_demo_\d+ succeeded/);
    expect(out).toMatch(/decision referral_bonus: referral_bonus, consumed reward \d+/);
    expect(out).toMatch(/reward \d+ applied, redemption redeemed \(Impact reward \S+\); the fake Impact holds 1 redemption\(s\)/);
    expect(out).toMatch(/Challenge: .*\n.*referral qualified: 9\d+ → 8\d+, program challenge-based-rewards-student/);
    expect(out).toMatch(/referrer 9\d+: 5\.66 USD earned/);

    // The rewards as they stand after the story, and the links to what it created.
    const rewards = out.slice(out.indexOf('Rewards:'), out.indexOf('Links:')).trim().split('\n');
    expect(rewards).toEqual([
      'Rewards:',
      expect.stringMatching(/^ {2}kilo-pass-referrals {2}referrer demo-referrer-\d+: 24\.50 USD pending$/),
      expect.stringMatching(/^ {2}kilo-pass-referrals {2}referee demo-referee-\d+: 24\.50 USD applied \(redemption redeemed\)$/),
      expect.stringMatching(/^ {2}challenge-based-rewards-student {2}referrer 9\d+: 5\.66 USD earned$/),
    ]);
    expect(out).toContain(`Admin: Kilo Pass program`);
    expect(out).toContain(`http://127.0.0.1:${ports['API_PORT']}/admin/?program=${KILO_PASS_PROGRAM}`);
    expect(out).toContain(`http://127.0.0.1:${ports['API_PORT']}/admin/?program=${CHALLENGE_PROGRAM}`);
    expect(out).toMatch(new RegExp(`Admin support: the Kilo Pass referee +http://127\\.0\\.0\\.1:${ports['API_PORT']}/admin/\\?screen=support&user=demo-referee-\\d+`));
    const temporalLinks = out.match(new RegExp(`http://127\\.0\\.0\\.1:${ports['TEMPORAL_UI_PORT']}/namespaces/default/workflows/\\S+`, 'g')) ?? [];
    expect(temporalLinks.length).toBeGreaterThanOrEqual(5);
    // The links lead somewhere: the Temporal UI serves them, and the fake Impact holds the redemption.
    expect((await fetch(temporalLinks[0]!)).status).toBe(200);
    const fakeUrl = /Impact \(fake\)[^\n]*?(http:\/\/\S+)\/__fake\/state/.exec(out)?.[1];
    const redemptions = (await (await fetch(`${fakeUrl}/__fake/redemptions`)).json()) as unknown[];
    expect(redemptions).toHaveLength(1);
  });

  it('runs again on the same stack as a new story (new users, new rewards)', async () => {
    const demo = run('tools/demo/src/demo.main.ts', { DATA_DIR: dataDir });
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toMatch(/the fake Impact holds 2 redemption\(s\)/);
  });

  it('says how to start the stack when no api answers, and exits 1', async () => {
    const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-demo-none-'));
    try {
      const closed = await freePort();
      const demo = run('tools/demo/src/demo.main.ts', { DATA_DIR: emptyDir, API_URL: `http://127.0.0.1:${closed}`, API_KEYS_STOREFRONT: 's', API_KEYS_BILLING: 'b', API_KEYS_ADMIN: 'a' });
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain(`demo failed: no api answers at http://127.0.0.1:${closed}: start the stack with \`npm start\``);
    } finally {
      fs.rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
