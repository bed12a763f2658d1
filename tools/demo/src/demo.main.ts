/**
 * `npm run demo`: one Kilo Pass referral and one Challenge lesson against the running stack
 * (`npm start` in another terminal), a line per step, then the rewards and the links to what it
 * created. Reads the api URL and keys from the environment or from what `npm start` wrote in `.data/`.
 */
import { ReferralsApiError } from '@referrals/client';
import { resolveDemoConfig, DemoSetupError } from './demo-config';
import { runDemo } from './demo';

async function main(): Promise<void> {
  const config = resolveDemoConfig(process.env);
  try {
    const ready = await fetch(`${config.apiUrl}/readyz`);
    if (!ready.ok) throw new DemoSetupError(`the api at ${config.apiUrl} is not ready (/readyz answered ${ready.status})`);
  } catch (error) {
    if (error instanceof DemoSetupError) throw error;
    throw new DemoSetupError(`no api answers at ${config.apiUrl}: start the stack with \`npm start\` (or set API_URL)`);
  }
  await runDemo(config, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write('\nDemo finished.\n');
}

main().catch((error: unknown) => {
  const message = error instanceof DemoSetupError || error instanceof ReferralsApiError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`demo failed: ${message}\n`);
  process.exit(1);
});
