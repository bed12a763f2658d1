/**
 * `npm run fake-impact`: the fake Impact server on FAKE_IMPACT_PORT (default 4010), seeded with the
 * default programs (KiloClaw, Kilo Pass). Prints where it listens; stops on SIGINT / SIGTERM.
 */
import { exitOnConfigError, parseEnv, portVar } from '@referrals/config';
import { z } from 'zod';
import { defaultFakeImpactSeed } from './fake-impact.seed';
import { startFakeImpact } from './fake-impact.server';

const envSchema = z.object({
  FAKE_IMPACT_PORT: portVar(4010),
  FAKE_IMPACT_HOST: z.string().default('127.0.0.1'),
  /** Delay before referral rewards appear after a referral SALE. */
  FAKE_IMPACT_REWARD_DELAY_MS: z.coerce.number().int().nonnegative().default(2000),
  /** Conversions answer QUEUED and complete on the Nth poll (documented); 0 answers immediately (permissive only). */
  FAKE_IMPACT_QUEUED_POLLS: z.coerce.number().int().nonnegative().default(3),
  /** `documented` (default) or `permissive` (undocumented conveniences: immediate answers, action ids, bare locales). */
  FAKE_IMPACT_CONTRACT: z.enum(['documented', 'permissive']).default('documented'),
});

async function main(): Promise<void> {
  const env = parseEnv(envSchema, process.env);
  const fake = await startFakeImpact({
    port: env.FAKE_IMPACT_PORT,
    host: env.FAKE_IMPACT_HOST,
    seed: defaultFakeImpactSeed,
    rewardDelayMs: env.FAKE_IMPACT_REWARD_DELAY_MS,
    contract: env.FAKE_IMPACT_QUEUED_POLLS > 0 ? env.FAKE_IMPACT_CONTRACT : 'permissive',
    submissions: env.FAKE_IMPACT_QUEUED_POLLS > 0 ? { mode: 'queued', pollsUntilComplete: env.FAKE_IMPACT_QUEUED_POLLS } : { mode: 'immediate' },
  });
  const lines = [
    `Fake Impact listening on ${fake.url}`,
    `  Advocate base URL:    ${fake.url}  (/api/v1/{tenant}/...)`,
    `  Performance base URL: ${fake.url}  (/Advertisers/{AccountSID}/...)`,
    `  Control endpoints:    ${fake.url}/__fake/{requests,redemptions,state,faults,behaviour,rewards,reset}`,
    ...defaultFakeImpactSeed.advocateTenants.flatMap((tenant) =>
      tenant.programs.map((p) => `  Advocate tenant ${tenant.tenantAlias}, program ${p.programId} (${p.product ?? 'no product'}), unit ${p.rewardUnit}`),
    ),
    ...defaultFakeImpactSeed.performanceAccounts.flatMap((account) =>
      account.campaigns.map((c) => `  Performance campaign ${c.campaignId} (${c.product ?? 'no product'})`),
    ),
    '  Credentials: see libs/impact-client/src/testing/fake-impact.seed.ts',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Fake Impact stopping (${signal})\n`);
    fake.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Fake Impact did not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(exitOnConfigError);
