import { impactConfigToEnv } from '@referrals/impact-client';
import { defaultFakeImpactSeed, startFakeImpact } from '@referrals/impact-client/testing';
import { startOnFreePort } from './free-port';
import { stackLog } from './log';

/**
 * What `impactConfigFromEnv` reads as a product's Impact section: `IMPACT_<PRODUCT>_ADVOCATE_*` and
 * `IMPACT_<PRODUCT>_PERFORMANCE_*`. The other IMPACT_ variables (IMPACT_TIMEOUT_MS, IMPACT_PRODUCTS,
 * IMPACT_POLL_*) tune the client and say nothing about where Impact is, so they do not count.
 */
const CREDENTIAL_VARIABLE = /^IMPACT_[A-Z0-9_]+?_(?:ADVOCATE|PERFORMANCE)_[A-Z0-9_]+$/;

/** The Impact credential variables set (non-empty, as impactConfigFromEnv reads them) in `env`, sorted. */
export function impactCredentialVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env)
    .filter((name) => CREDENTIAL_VARIABLE.test(name) && (env[name]?.trim() ?? '') !== '')
    .sort();
}

export interface DevFakeImpact {
  /** Advocate and Performance base URL alike. */
  readonly url: string;
  readonly port: number;
  /** The products the fake serves (the seed's): kiloclaw, kilo_pass. */
  readonly products: readonly string[];
  /** IMPACT_* variables pointing the api and the worker at the fake, and IMPACT_PRODUCTS unless the environment sets it. */
  readonly env: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

// As `npm run fake-impact`: referral rewards appear a moment after the SALE, as in Impact.
const REWARD_DELAY_MS = 2_000;

/**
 * The fake Impact server of @referrals/impact-client/testing on a free port, seeded with the
 * default programs (Kilo Pass: Advocate 51700, Performance campaign 50755), and the environment
 * that configures the api and the worker for it. Its referral codes are numbered from the clock:
 * the fake forgets its participants at every restart while the database keeps their codes, so
 * codes of an earlier run are never handed to a new participant (attribution would refuse them).
 */
export async function startDevFakeImpact(userEnv: NodeJS.ProcessEnv): Promise<DevFakeImpact> {
  const fake = await startOnFreePort(
    (port) => startFakeImpact({ port, host: '127.0.0.1', seed: defaultFakeImpactSeed, rewardDelayMs: REWARD_DELAY_MS, firstReferralCodeNumber: Date.now() }),
    (error) => (error as NodeJS.ErrnoException).code === 'EADDRINUSE',
  );
  const config = fake.clientConfig();
  const products = Object.keys(config.products ?? {});
  return {
    url: fake.url,
    port: fake.port,
    products,
    // The worker reads only the products named in IMPACT_PRODUCTS; a value the user set stays theirs.
    env: { ...impactConfigToEnv(config), ...(userEnv['IMPACT_PRODUCTS']?.trim() ? {} : { IMPACT_PRODUCTS: products.join(',') }) },
    stop: () => fake.close(),
  };
}

/**
 * `npm start`'s Impact: the fake when `userEnv` holds no Impact credentials (products enabled
 * against it instead of disabled), nothing when it does (the api and the worker read them).
 */
export async function startFakeImpactUnlessCredentials(userEnv: NodeJS.ProcessEnv): Promise<DevFakeImpact | null> {
  const credentials = impactCredentialVariables(userEnv);
  if (credentials.length > 0) {
    stackLog(`using Impact from the environment (${credentials.length} IMPACT_<PRODUCT>_ADVOCATE/PERFORMANCE variables)`);
    return null;
  }
  const fake = await startDevFakeImpact(userEnv);
  stackLog(`no Impact credentials set: fake Impact server at ${fake.url} (products ${fake.products.join(', ')})`);
  return fake;
}
