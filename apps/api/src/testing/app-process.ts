import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

export interface AppProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process ended. */
  readonly exited: Promise<number | null>;
  /** Everything it wrote so far (JSON lines), for a failing test to show. */
  output(): string;
  /** Sends `signal`, then SIGKILL after 15 s; resolves once it exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * An app's entry (`apps/api/src/main.ts`, `apps/worker/src/main.ts`) as a separate process, the
 * way `npm start` runs it, resolved once it printed `readyLine` (an info line: LOG_LEVEL info);
 * a process that exits first, or stays silent past the timeout, fails with its output.
 */
export async function startAppProcess(entry: string, env: Record<string, string>, readyLine: string, readyTimeoutMs: number): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not print "${readyLine}" within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyLine)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before "${readyLine}":\n${output}`));
    });
  });
  return {
    child,
    exited,
    output: () => output,
    async stop(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
