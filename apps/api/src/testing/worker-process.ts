import { startAppProcess } from './app-process';

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
  const worker = await startAppProcess('apps/worker/src/main.ts', env, 'worker serving', readyTimeoutMs);
  const { child, exited } = worker;
  return {
    output: worker.output,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: () => worker.stop('SIGINT'),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
