/**
 * `npm start`: brings up the dev stack (embedded PostgreSQL and a Temporal dev server with its web
 * UI unless DATABASE_URL / TEMPORAL_ADDRESS are set, the fake Impact server unless Impact
 * credentials are set), applies migrations, starts the api and the worker, waits for /readyz and
 * prints the URLs. Ctrl-C stops every process it started.
 */
import { exitOnConfigError, parseEnv } from '@referrals/config';
import { killAllChildrenNow, spawnTypeScript, stopChild, takeOverShutdownSignals, type TrackedChild } from './child-processes';
import { acquireDataDirLock, StackAlreadyRunningError } from './data-dir-lock';
import { devApiKeys } from './dev-api-keys';
import { type DevStack, startDevStack, stackEnvVars } from './dev-stack';
import { waitFor } from './free-port';
import { stackLog } from './log';
import { stackEnvSchema, WORKSPACE_ROOT } from './stack-env';

const READY_TIMEOUT_MS = 90_000;

async function main(): Promise<void> {
  let env;
  let release: () => void;
  try {
    env = parseEnv(stackEnvSchema, process.env);
    release = acquireDataDirLock(env.DATA_DIR, 'dev');
  } catch (error) {
    if (error instanceof StackAlreadyRunningError) {
      stackLog(error.message);
      process.exit(1);
    }
    exitOnConfigError(error);
  }
  let stack: DevStack | undefined;
  const apps: TrackedChild[] = [];
  let stopping = false;
  const stopEverything = async (code: number) => {
    if (stopping) return;
    stopping = true;
    stackLog('stopping…');
    await Promise.all(apps.map((child) => stopChild(child)));
    await stack?.stop();
    release();
    stackLog('stopped');
    process.exit(code);
  };
  takeOverShutdownSignals(() => void stopEverything(0));
  process.on('exit', () => killAllChildrenNow());

  try {
    stack = await startDevStack(env, 'dev', { fakeImpactUnlessCredentialsIn: process.env });
    const apiKeys = devApiKeys(env.DATA_DIR, process.env);
    // The admin console's ops view links workflows to the dev server's UI (unless TEMPORAL_UI_URL says otherwise).
    const temporalUi = stack.temporalUiUrl ? { TEMPORAL_UI_URL: stack.temporalUiUrl } : {};
    const childEnv = { ...temporalUi, ...process.env, ...stackEnvVars(stack), ...apiKeys.vars, API_PORT: String(env.API_PORT) };

    const migrate = spawnTypeScript('migrate', 'apps/api/src/migrate.main.ts', childEnv, WORKSPACE_ROOT);
    if ((await migrate.exited) !== 0) throw new Error('migrations failed');

    apps.push(spawnTypeScript('api', 'apps/api/src/main.ts', childEnv, WORKSPACE_ROOT));
    apps.push(spawnTypeScript('worker', 'apps/worker/src/main.ts', childEnv, WORKSPACE_ROOT));
    for (const child of apps) {
      void child.exited.then((code) => {
        if (!stopping) {
          stackLog(`a process exited unexpectedly (code ${code}); stopping the stack`);
          void stopEverything(1);
        }
      });
    }

    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    await waitFor('api readiness', async () => (await fetch(`${apiUrl}/readyz`)).ok, READY_TIMEOUT_MS, 500);
    const lines = [
      '',
      'Referrals is running:',
      `  API          ${apiUrl}`,
      `  Readiness    ${apiUrl}/readyz`,
      stack.temporalUiUrl ? `  Temporal UI  ${stack.temporalUiUrl}` : `  Temporal     ${stack.temporalAddress} (external)`,
      `  Admin        ${apiUrl}/admin/ (build it once: npx nx build admin)`,
      `  API docs     ${apiUrl}/docs`,
      `  PostgreSQL   ${stack.started.postgres ? `embedded, data in ${env.DATA_DIR}/postgres` : 'from DATABASE_URL'}`,
      stack.fakeImpactUrl
        ? `  Impact       faked (no IMPACT_* credentials set): ${stack.fakeImpactUrl} (inspect: ${stack.fakeImpactUrl}/__fake/state)`
        : '  Impact       from the IMPACT_* variables',
      `  API keys     ${apiKeys.file} (one per role; set API_KEYS_<ROLE> to use your own)`,
      'Press Ctrl-C to stop.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    stackLog(error instanceof Error ? error.message : String(error));
    await stopEverything(1);
  }
}

void main();
