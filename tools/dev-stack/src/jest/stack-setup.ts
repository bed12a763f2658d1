import { exitOnConfigError, parseEnv } from '@referrals/config';
import { type DevStack, startDevStack, stackEnvVars } from '../dev-stack';
import { stackEnvSchema } from '../stack-env';

declare global {
  /** The stack this globalSetup started, for global-teardown to stop. */
  var referralsTestStack: DevStack | undefined;
}

/**
 * Jest globalSetup for projects whose tests use the real PostgreSQL and Temporal. Under `npm test`
 * the stack already runs (DATABASE_URL and TEMPORAL_ADDRESS are set) and nothing starts here; a
 * project run on its own (`nx test db`) starts the same test stack through the same launcher.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['DATABASE_URL'] && process.env['TEMPORAL_ADDRESS']) return;
  let env;
  try {
    env = parseEnv(stackEnvSchema, process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const stack = await startDevStack(env, 'test');
  // Jest workers are spawned after globalSetup and inherit this environment.
  Object.assign(process.env, stackEnvVars(stack));
  globalThis.referralsTestStack = stack;
}
