import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');
const CHECKED_IN = path.join(__dirname, '../src/generated');

/** `npm run client:check` (or generate) on a copy of the generated folder. */
async function generator(dir: string, check: boolean): Promise<{ code: number; output: string }> {
  const args = ['--import', 'tsx', 'libs/client/codegen/generate-client.main.ts', ...(check ? ['--check'] : [])];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: WORKSPACE_ROOT, env: { ...process.env, CLIENT_GENERATED_DIR: dir } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('client drift check (npm run client:check)', () => {
  jest.setTimeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'referrals-client-'));
    fs.cpSync(CHECKED_IN, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes on the checked-in files: they are what the api\'s document generates today', async () => {
    expect(await generator(dir, true)).toMatchObject({ code: 0, output: expect.stringContaining('match the api\'s OpenAPI document') });
  });

  it('fails naming the file when the generated types drift from the api, and `client:generate` repairs it', async () => {
    const file = path.join(dir, 'api.ts');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"/v1/touches"', '"/v1/touches-renamed"'));
    const drifted = await generator(dir, true);
    expect(drifted.code).toBe(1);
    expect(drifted.output).toContain('api.ts');
    expect(drifted.output).toContain('npm run client:generate');

    expect((await generator(dir, false)).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(path.join(CHECKED_IN, 'api.ts'), 'utf8'));
    expect((await generator(dir, true)).code).toBe(0);
  });
});
