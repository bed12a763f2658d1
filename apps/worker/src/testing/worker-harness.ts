import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { attributionMigrations, createReferralCodeRegistry } from '@referrals/attribution';
import { dbMigrations } from '@referrals/db';
import { useTestDatabase } from '@referrals/db/testing';
import { type ImpactTestHarness, startImpactTestHarness } from '@referrals/impact-client/testing';
import { impactSyncMigrations, recordParticipantRegistration } from '@referrals/impact-sync';
import { grantRewards, ledgerMigrations, verifyLedger, type GrantRewardsInput, type Reward } from '@referrals/ledger';
import { createProgramStore, programsMigrations } from '@referrals/programs';
import { loadProductRegistry } from '@referrals/products';
import { examplePrograms } from '@referrals/rule-dsl';
import { type IssuanceFacts, type WorkerActivities, type WorkflowSettings } from '@referrals/workflows';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { type Sequelize } from 'sequelize';
import { createActivities } from '../activities';
import { bundleWorkflows } from '../workflow-bundle';
import { createReferralsWorker } from '../worker';

/**
 * Test harness for workflow specs: per test file a fresh migrated database, a fake Impact server
 * over real HTTP with a real client, the workflow bundle (built once), a worker on a task queue of
 * its own against the real Temporal dev server, and a client. Short timings, no time skipping.
 */
export const testSettings: WorkflowSettings = {
  delivery: { initialIntervalMs: 100, maxIntervalMs: 400, backoffCoefficient: 2 },
  attemptsPerRun: 500,
  deliveryHeartbeatTimeoutMs: 3_000,
  issuanceFactsWaitMs: 20_000,
  expireBatchSize: 2,
  expireMaxBatches: 10,
  backfillBatchSize: 50,
};

export interface WorkerHarness {
  readonly sequelize: Sequelize;
  readonly impact: ImpactTestHarness;
  readonly client: Client;
  readonly connection: Connection;
  readonly taskQueue: string;
  /** Stops the worker (graceful: in-flight activities get `graceTime`, then are cancelled). */
  stopWorker(graceTime?: string): Promise<void>;
  /** Starts a new worker on the same task queue (after stopWorker). */
  startWorker(): Promise<void>;
}

let runtimeInstalled = false;
function installRuntime(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process by another spec file.
  }
  runtimeInstalled = true;
}

/** Every table the activities touch: the ledger, impact-sync, and attribution's referral codes (with the programs they belong to). */
export const workerTestMigrations = [dbMigrations, ledgerMigrations, impactSyncMigrations, programsMigrations, attributionMigrations];

/** The catalogs of the products file the worker reads (config/products.json). */
export function productCatalogs() {
  return loadProductRegistry(undefined, {}).catalogs;
}

/** Attribution's referral codes as the worker wires them (programs looked up in the same database). */
export function referralCodesOf(sequelize: Sequelize) {
  return createReferralCodeRegistry({ sequelize, programs: createProgramStore({ sequelize, catalogs: productCatalogs() }) });
}

/** The Kilo Pass program (KILO_PASS.programKey) as version 1: referral codes are registered in it. */
export async function saveKiloPassProgram(sequelize: Sequelize): Promise<void> {
  await createProgramStore({ sequelize, catalogs: productCatalogs() }).save({ document: structuredClone(examplePrograms.kiloPass), author: 'test:worker', changeNote: 'launch' });
}

export interface WorkerHarnessOptions {
  settings?: Partial<WorkflowSettings>;
  workflowsPath?: string;
  /** Per-request timeout of the activities' Impact client (the fake harness's default otherwise). */
  impactTimeoutMs?: number;
  /** Fault injection: activities to run in place of the real ones (they may call the real ones). */
  activityOverrides?: (real: WorkerActivities) => Partial<WorkerActivities>;
  /** Load the bundle from a file (`{ codePath }`), as the production worker does with WORKFLOW_BUNDLE_PATH. */
  bundleFromFile?: boolean;
}

export function useWorkerHarness(options: WorkerHarnessOptions = {}): WorkerHarness {
  const db = useTestDatabase(workerTestMigrations);
  const taskQueue = `test-${randomUUID()}`;
  const settings = { ...testSettings, ...options.settings };
  let impact: ImpactTestHarness | undefined;
  let bundle: WorkflowBundleOption | undefined;
  let nativeConnection: NativeConnection | undefined;
  let connection: Connection | undefined;
  let client: Client | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const withOverrides = (real: WorkerActivities): WorkerActivities => ({ ...real, ...options.activityOverrides?.(real) });
  const startWorker = async () => {
    if (!nativeConnection || !bundle || !impact) throw new Error('the harness is not set up');
    worker = await createReferralsWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: withOverrides(
        createActivities({
          sequelize: db.sequelize,
          impact: impact.client,
          referralCodes: referralCodesOf(db.sequelize),
          settings,
          polling: { maxPolls: 3, pollIntervalMs: 50 },
          clock: () => new Date(),
        }),
      ),
      workflowBundle: bundle,
      shutdownGraceTime: '200 milliseconds',
    });
    running = worker.run();
  };
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
    running = undefined;
  };

  beforeAll(async () => {
    installRuntime();
    // Every spec file has its own database but all share one Temporal server, and workflow ids
    // derive from reward ids: start this file's reward ids far from the other files'.
    const firstRewardId = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000));
    await db.sequelize.query(`ALTER SEQUENCE ledger_rewards_id_seq RESTART WITH ${firstRewardId}`);
    await saveKiloPassProgram(db.sequelize);
    impact = await startImpactTestHarness(options.impactTimeoutMs ? { client: { timeoutMs: options.impactTimeoutMs } } : {});
    const built = await bundleWorkflows(options.workflowsPath);
    if (options.bundleFromFile) {
      const codePath = path.join(mkdtempSync(path.join(tmpdir(), 'workflow-bundle-')), 'workflow-bundle.js');
      writeFileSync(codePath, built.code);
      bundle = { codePath };
    } else {
      bundle = built;
    }
    const address = process.env['TEMPORAL_ADDRESS'] ?? '';
    nativeConnection = await NativeConnection.connect({ address });
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: 'default' });
    await startWorker();
  }, 120_000);

  afterAll(async () => {
    await stopWorker();
    await nativeConnection?.close();
    await connection?.close();
    await impact?.close();
  }, 30_000);

  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} exists only inside tests (after beforeAll)`);
    return value;
  };
  return {
    get sequelize() {
      return db.sequelize;
    },
    get impact() {
      return required(impact, 'the fake Impact');
    },
    get client() {
      return required(client, 'the Temporal client');
    },
    get connection() {
      return required(connection, 'the Temporal connection');
    },
    taskQueue,
    stopWorker,
    startWorker,
  };
}

let sequence = 0;
/** A unique id per call, so tests sharing one database and one Temporal server never collide. */
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

export const KILO_PASS = { programKey: examplePrograms.kiloPass.key, product: 'kilo_pass', tenantAlias: 'referrals_demo', programId: '51700' } as const;

/**
 * Facts of an active monthly issuance created now, its period ending in `periodMs` (30 s): a
 * returning subscriber's second issuance unless `overrides` say otherwise.
 */
export function monthlyIssuanceFacts(overrides: Partial<IssuanceFacts> & { periodMs?: number } = {}): IssuanceFacts {
  const { periodMs = 30_000, ...rest } = overrides;
  return {
    issuanceCreatedAt: new Date().toISOString(),
    periodEndsAt: new Date(Date.now() + periodMs).toISOString(),
    interval: 'month',
    subscriptionStatus: 'active',
    issuanceNumber: 2,
    firstTimeSubscriber: false,
    subscriberStartedAt: '2026-01-02T00:00:00.000Z',
    welcomePromoLaunchCutoffAt: '2026-02-01T00:00:00.000Z',
    ...rest,
  };
}

/**
 * A Kilo Pass conversion: both roles earn 2450 USD cents, pending, earned at `earnedAt`, expiring
 * 365 days later unless `expiresAt` says otherwise.
 */
export async function grantKiloPassRewards(
  sequelize: Sequelize,
  { expiresAt: expiresAtOverride, ...overrides }: Partial<GrantRewardsInput> & { earnedAt: Date; expiresAt?: Date },
): Promise<{ referrer: Reward; referee: Reward }> {
  const expiresAt = expiresAtOverride ?? new Date(overrides.earnedAt.getTime() + 365 * 24 * 3_600_000);
  const outcome = (role: 'referrer' | 'referee') => ({
    role,
    decision: 'grant' as const,
    kind: 'fixed' as const,
    amountMinor: 2450,
    unit: 'USD',
    initialStatus: 'pending' as const,
    expiresAt,
    reason: 'rule 1: first paid monthly tier_49 payment',
  });
  const result = await grantRewards(sequelize, {
    programKey: KILO_PASS.programKey,
    programVersion: 1,
    product: KILO_PASS.product,
    conversionId: uniqueId('pay'),
    referralId: uniqueId('ref'),
    referrerId: uniqueId('referrer'),
    refereeId: uniqueId('referee'),
    referrerCap: 5,
    outcomes: [outcome('referrer'), outcome('referee')],
    actor: 'test:grant',
    ...overrides,
  });
  const [referrer, referee] = result.rewards;
  if (!referrer || !referee) throw new Error('expected two rewards');
  return { referrer, referee };
}

/**
 * The beneficiary as Impact Advocate knows them: registered (stored in impact-sync as the
 * registration workflow would) and holding a credit reward worth `amount` USD at the fake.
 */
export async function givenImpactParticipantWithReward(
  harness: WorkerHarness,
  userId: string,
  amount = 24.5,
  /** Advocate's user id (production uses the email; recorded histories must hold none). */
  participantId = `${userId}@example.test`,
): Promise<{ participantId: string; impactRewardId: string }> {
  await recordParticipantRegistration(harness.sequelize, {
    programKey: KILO_PASS.programKey,
    userId,
    product: KILO_PASS.product,
    participantId,
    accountId: participantId,
    referralCode: null,
  });
  const reward = harness.impact.fake.addReward({
    tenantAlias: KILO_PASS.tenantAlias,
    accountId: participantId,
    userId: participantId,
    amount,
    unit: 'USD',
    programId: KILO_PASS.programId,
  });
  return { participantId, impactRewardId: reward.id };
}

/** Every scenario that touched the ledger ends with this: the books and the rewards agree. */
export async function expectLedgerSound(sequelize: Sequelize): Promise<void> {
  expect(await verifyLedger(sequelize)).toEqual([]);
}

/** Re-exported for the specs that import it from here. */
export { eventually } from '@referrals/db/testing';
