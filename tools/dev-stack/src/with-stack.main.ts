/**
 * `npm test`: starts the test stack once (embedded PostgreSQL unless DATABASE_URL is set, an
 * in-memory Temporal dev server unless TEMPORAL_ADDRESS is set), runs the command after `--` with
 * the stack's variables, stops the stack, and exits with the command's code.
 */
import { exitOnConfigError, parseEnv } from '@referrals/config';
import { killAllChildrenNow, spawnTracked, stopChild, takeOverShutdownSignals } from './child-processes';
import { startDevStack, stackEnvVars } from './dev-stack';
import { stackLog } from './log';
import { stackEnvSchema, WORKSPACE_ROOT } from './stack-env';

async function main(): Promise<number> {
  const separator = process.argv.indexOf('--');
  // `npm run test:with-stack -- cmd` arrives without the `--` (npm takes it); accept both forms.
  const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : process.argv.slice(2);
  if (!command) throw new Error('usage: with-stack -- <command> [args...]');
  const env = (() => {
    try {
      return parseEnv(stackEnvSchema, process.env);
    } catch (error) {
      return exitOnConfigError(error);
    }
  })();
  const stack = await startDevStack(env, 'test');
  const child = spawnTracked(command, command, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...stackEnvVars(stack), PATH: `${WORKSPACE_ROOT}/node_modules/.bin:${process.env['PATH']}` },
  });
  // The command gets the signal too (same process group); wait for it, then stop the stack.
  takeOverShutdownSignals(() => void stopChild(child));
  const code = await child.exited;
  await stack.stop();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    stackLog(error instanceof Error ? error.message : String(error));
    killAllChildrenNow();
    process.exit(1);
  },
);
