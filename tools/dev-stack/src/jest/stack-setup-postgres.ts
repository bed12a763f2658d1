import { exitOnConfigError, parseEnv } from '@referrals/config';
import { startDevStack, stackEnvVars } from '../dev-stack';
import { stackEnvSchema } from '../stack-env';
import type {} from './stack-setup';

/**
 * Jest globalSetup for projects whose tests need PostgreSQL only (ledger, attribution): reuses
 * DATABASE_URL when set, otherwise starts the test stack's embedded PostgreSQL without Temporal.
 */
export default async function globalSetupPostgres(): Promise<void> {
  if (process.env['DATABASE_URL']) return;
  let env;
  try {
    env = parseEnv(stackEnvSchema, process.env);
  } catch (error) {
    exitOnConfigError(error);
  }
  const stack = await startDevStack(env, 'test', { withTemporal: false });
  Object.assign(process.env, stackEnvVars(stack));
  globalThis.referralsTestStack = stack;
}
