import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');

export interface WorkerProcess {
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (a crash, an OOM kill): no drain, in-flight work is abandoned. */
  kill(): Promise<void>;
  /** What the worker wrote (JSON lines), for a failing test to show. */
  output(): string;
  /** False once the process exited (on its own or stopped). */
  running(): boolean;
}

/**
 * The real worker (`apps/worker/src/main.ts`) as a separate process, the way `npm start` runs it,
 * on the test's database, Temporal server and task queue. The api never imports the worker (apps
 * do not import apps); it only meets it through Temporal and the database, as in production.
 */
export async function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 90_000): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: ROOT,
    // info: the readiness line ("worker serving") is an info line.
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker was not serving within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker serving')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${code}) before serving:\n${output}`));
    });
  });
  return {
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
