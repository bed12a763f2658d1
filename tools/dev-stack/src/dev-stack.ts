import fs from 'node:fs';
import path from 'node:path';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { type DevFakeImpact, startFakeImpactUnlessCredentials } from './fake-impact';
import { freePort, startOnFreePort } from './free-port';
import { stackLog } from './log';
import { type StackEnv } from './stack-env';
import { type RunningTemporal, startTemporalDevServer, TemporalExitedEarlyError, waitForTemporal } from './temporal-dev-server';

/**
 * `dev`: what `npm start` runs — data kept under DATA_DIR, fixed ports, Temporal with its web UI.
 * `test`: what the test suites run — a throw-away PostgreSQL cluster (its own directory, removed at
 * stop) on a free port and an in-memory, headless Temporal on a free port, so test runs never touch
 * or clash with a running dev stack, nor with each other.
 */
export type StackMode = 'dev' | 'test';

export interface DevStack {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl?: string;
  /** The fake Impact server's URL when this launcher started one. */
  fakeImpactUrl?: string;
  /** IMPACT_* variables for the api and the worker (the fake's configuration; empty otherwise). */
  impactEnv: Record<string, string>;
  /** What this launcher started (and so must stop); external services are only used. */
  started: { postgres: boolean; temporal: boolean; fakeImpact: boolean };
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Leave out Temporal (a project whose tests need only PostgreSQL). */
  withTemporal?: boolean;
  /**
   * `npm start`: start the fake Impact server unless this environment holds Impact credentials
   * (`IMPACT_<PRODUCT>_ADVOCATE_*` / `_PERFORMANCE_*`), so products are enabled against the fake
   * instead of disabled. Test stacks leave it out: their specs start fakes of their own.
   */
  fakeImpactUnlessCredentialsIn?: NodeJS.ProcessEnv;
}

/**
 * Brings up what the environment does not already provide: PostgreSQL unless DATABASE_URL is set,
 * Temporal unless TEMPORAL_ADDRESS is set. Stops what it started when anything fails midway.
 */
export async function startDevStack(env: StackEnv, mode: StackMode, options: StartOptions = {}): Promise<DevStack> {
  const withTemporal = options.withTemporal ?? true;
  let postgres: RunningPostgres | undefined;
  let temporal: RunningTemporal | undefined;
  let fakeImpact: DevFakeImpact | undefined;
  let scratchDir: string | undefined;
  const stop = async () => {
    await fakeImpact?.stop().catch((e: unknown) => stackLog(`stopping the fake Impact server: ${String(e)}`));
    await temporal?.stop().catch((e: unknown) => stackLog(`stopping Temporal: ${String(e)}`));
    await postgres?.stop().catch((e: unknown) => stackLog(`stopping PostgreSQL: ${String(e)}`));
    if (scratchDir) fs.rmSync(scratchDir, { recursive: true, force: true });
  };
  try {
    let databaseUrl = env.DATABASE_URL;
    if (databaseUrl) {
      stackLog('using PostgreSQL from DATABASE_URL');
    } else {
      if (mode === 'test') {
        fs.mkdirSync(path.join(env.DATA_DIR, 'tmp'), { recursive: true });
        scratchDir = fs.mkdtempSync(path.join(env.DATA_DIR, 'tmp', 'test-postgres-'));
      }
      postgres = await startEmbeddedPostgres({
        dataDir: scratchDir ?? path.join(env.DATA_DIR, 'postgres'),
        port: mode === 'dev' ? env.POSTGRES_PORT : await freePort(),
        database: 'referrals',
        durable: mode === 'dev',
      });
      databaseUrl = postgres.databaseUrl;
      stackLog(`embedded PostgreSQL ready at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
    }

    let temporalAddress = env.TEMPORAL_ADDRESS ?? '';
    if (!withTemporal) {
      // not needed
    } else if (temporalAddress) {
      stackLog(`using Temporal at TEMPORAL_ADDRESS=${temporalAddress}`);
      await waitForTemporal(temporalAddress, env.TEMPORAL_NAMESPACE, 30_000);
    } else {
      const startOn = (port: number) =>
        startTemporalDevServer({
          port,
          namespace: env.TEMPORAL_NAMESPACE,
          ...(mode === 'dev'
            ? { uiPort: env.TEMPORAL_UI_PORT, dbFile: path.join(env.DATA_DIR, 'temporal', 'temporal.db') }
            : {}),
          ...(env.TEMPORAL_CLI_PATH ? { cliPath: env.TEMPORAL_CLI_PATH } : {}),
          dataDir: env.DATA_DIR,
        });
      // A test stack's port may be taken by a parallel one before Temporal binds it: the dev server
      // then exits at once ("address already in use"), and a new port is tried.
      temporal =
        mode === 'dev' ? await startOn(env.TEMPORAL_PORT) : await startOnFreePort(startOn, (error) => error instanceof TemporalExitedEarlyError);
      temporalAddress = temporal.address;
    }

    if (options.fakeImpactUnlessCredentialsIn) {
      fakeImpact = (await startFakeImpactUnlessCredentials(options.fakeImpactUnlessCredentialsIn)) ?? undefined;
    }
    return {
      databaseUrl,
      temporalAddress,
      temporalNamespace: env.TEMPORAL_NAMESPACE,
      ...(temporal?.uiUrl ? { temporalUiUrl: temporal.uiUrl } : {}),
      ...(fakeImpact ? { fakeImpactUrl: fakeImpact.url } : {}),
      impactEnv: { ...fakeImpact?.env },
      started: { postgres: postgres !== undefined, temporal: temporal !== undefined, fakeImpact: fakeImpact !== undefined },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The variables a child process needs to use the stack (with the fake Impact's, when it runs). */
export function stackEnvVars(stack: DevStack): Record<string, string> {
  return {
    DATABASE_URL: stack.databaseUrl,
    ...(stack.temporalAddress ? { TEMPORAL_ADDRESS: stack.temporalAddress } : {}),
    TEMPORAL_NAMESPACE: stack.temporalNamespace,
    ...stack.impactEnv,
  };
}
