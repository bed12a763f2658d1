import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireDataDirLock, StackAlreadyRunningError } from './data-dir-lock';

describe('acquireDataDirLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a second stack on the same data directory while the first one lives', async () => {
    const other = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(dir, 'dev.lock'), String(other.pid));
      expect(() => acquireDataDirLock(dir, 'dev')).toThrow(StackAlreadyRunningError);
      expect(() => acquireDataDirLock(dir, 'dev')).toThrow(`already running (pid ${other.pid})`);
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
  });

  it('takes over a lock whose owner died (after a crash or kill -9)', async () => {
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    fs.writeFileSync(path.join(dir, 'dev.lock'), String(dead.pid));
    const release = acquireDataDirLock(dir, 'dev');
    expect(fs.readFileSync(path.join(dir, 'dev.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(fs.existsSync(path.join(dir, 'dev.lock'))).toBe(false);
  });

  it('keeps stacks on different data directories (or of different kinds) apart', () => {
    const releaseDev = acquireDataDirLock(dir, 'dev');
    const releaseTest = acquireDataDirLock(dir, 'test');
    releaseDev();
    releaseTest();
  });
});
