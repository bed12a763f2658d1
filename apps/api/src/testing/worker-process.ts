import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { type ImpactConfigInput } from '@referrals/impact-client';

const ROOT = path.resolve(__dirname, '../../../..');

/** `{ products: { kilo_pass: { advocate: { tenantAlias } } } }` -> `IMPACT_KILO_PASS_ADVOCATE_TENANT_ALIAS`, as impactConfigFromEnv reads them. */
export function impactEnv(config: ImpactConfigInput): Record<string, string> {
  const env: Record<string, string> = {};
  const upper = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  for (const [product, sections] of Object.entries(config.products ?? {})) {
    for (const [section, fields] of Object.entries(sections ?? {})) {
      for (const [field, value] of Object.entries((fields ?? {}) as Record<string, unknown>)) {
        const prefix = `IMPACT_${product.toUpperCase()}_${section.toUpperCase()}`;
        if (field === 'actionTrackerIds') {
          for (const [event, id] of Object.entries(value as Record<string, string>)) env[`${prefix}_ACTION_TRACKER_${event}`] = String(id);
        } else if (value !== undefined) {
          env[`${prefix}_${upper(field)}`] = String(value);
        }
      }
    }
  }
  return env;
}

export interface WorkerProcess {
  stop(): Promise<void>;
  /** What the worker wrote (JSON lines), for a failing test to show. */
  output(): string;
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
    async stop() {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
