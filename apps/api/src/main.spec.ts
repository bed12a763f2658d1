import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** Runs `apps/api/src/main.ts` as a real process and collects how it ends. */
function runApi(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('api main (configuration fails fast)', () => {
  it('exits non-zero with one line naming DATABASE_URL when it is not a postgres URL', async () => {
    const { code, stderr } = await runApi({ DATABASE_URL: 'not-a-url' });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^Configuration error: DATABASE_URL /);
  }, 40_000);

  it('exits non-zero naming DATABASE_URL when the server it names cannot be reached', async () => {
    const { code, stderr } = await runApi({ DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/nothing' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^Configuration error: DATABASE_URL cannot be reached/);
    expect(stderr).not.toContain('secret');
  }, 40_000);

  it('exits non-zero with one line naming API_PORT when the port is malformed', async () => {
    const { code, stderr } = await runApi({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', API_PORT: '80a' });
    expect(code).not.toBe(0);
    expect(stderr.trim()).toBe('Configuration error: API_PORT must be a port number (got "80a")');
  }, 40_000);
});
