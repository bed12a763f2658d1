import { type components, ok } from '@referrals/client';
import { impactConfigToEnv } from '@referrals/impact-client';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { getParticipantRegistration } from '@referrals/impact-sync';
import { listRewards, type Reward } from '@referrals/ledger';
import { type DeliveryResult, type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { type ApiHarness, useApiHarness } from './api-harness';
import { waitUntilRelayed } from './relayed-workflow';
import { createKiloPassProgram, KILO_PASS_PROGRAM, kiloPayment } from './kilo-pass-fixtures';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

const DAY_MS = 86_400_000;

type PaymentSucceeded = components['schemas']['PaymentSucceeded'];

export interface WorkerE2eOptions {
  /** Worker environment on top of the defaults (short delivery backoff, no schedules, kilo_pass Impact on the fake). */
  workerEnv?: Record<string, string>;
  /** Per-request timeout of the worker's Impact client. */
  impactTimeoutMs?: number;
  /** Products whose Impact the worker reaches on the fake (default: kilo_pass). */
  impactProducts?: readonly string[];
  /** The api's server clock (touches, signups and idempotency at a pinned time); the worker keeps the real one. */
  clock?: () => Date;
}

export interface WorkerE2e {
  readonly api: ApiHarness;
  /** `<name>-<run>`: business ids unique to this spec file (workflow ids are global on the shared server). */
  id(name: string): string;
  /** Starts a worker process with this file's environment (one runs after beforeAll). */
  startWorker(): Promise<void>;
  /** Stops the running worker process (SIGINT: the graceful drain `npm start` and deployments use). */
  stopWorker(): Promise<void>;
  /** Kills the running worker process with SIGKILL (a crash: no drain, its in-flight activities are abandoned). */
  killWorker(): Promise<void>;
  /** The workflow's result, or a failure naming it (with the worker's output) after `timeoutMs`. */
  result<T>(workflowId: string, timeoutMs?: number): Promise<T>;
  /** The worker's environment for this file (for a test to read its timings). */
  readonly workerEnv: Record<string, string>;
}

/**
 * End to end with the real worker: the api over HTTP (useApiHarness with the fake Impact server),
 * PostgreSQL, the Temporal dev server and `apps/worker/src/main.ts` as a separate process on the
 * file's own task queue, with the Kilo Pass program created through the admin api.
 */
export function useWorkerE2e(options: WorkerE2eOptions = {}): WorkerE2e {
  const api = useApiHarness({ fakeImpact: true, ...(options.clock ? { clock: options.clock } : {}) });
  const impactProducts = options.impactProducts ?? ['kilo_pass'];
  let worker: WorkerProcess | undefined;
  let env: Record<string, string> = {};
  const outputs: string[] = [];

  const startWorker = async () => {
    if (worker) throw new Error('a worker process runs already');
    worker = await startWorkerProcess(env);
  };
  const stopWorker = async () => {
    const running = worker;
    worker = undefined;
    if (!running) return;
    await running.stop();
    outputs.push(running.output());
  };
  const killWorker = async () => {
    const running = worker;
    worker = undefined;
    if (!running) return;
    await running.kill();
    outputs.push(running.output());
  };

  beforeAll(async () => {
    // Workflow ids derive from reward ids; every spec file has its own database but shares the
    // Temporal server, so this file's rewards get ids far from the others'.
    await api.db.sequelize.query(`ALTER SEQUENCE ledger_rewards_id_seq RESTART WITH ${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`);
    env = {
      DATABASE_URL: api.db.databaseUrl,
      TEMPORAL_ADDRESS: process.env['TEMPORAL_ADDRESS'] ?? '',
      TEMPORAL_NAMESPACE: process.env['TEMPORAL_NAMESPACE'] ?? 'default',
      TEMPORAL_TASK_QUEUE: api.taskQueue,
      SCHEDULES_ENABLED: 'false',
      IMPACT_PRODUCTS: impactProducts.join(','),
      DELIVERY_RETRY_INITIAL_INTERVAL_MS: '100',
      DELIVERY_RETRY_MAX_INTERVAL_MS: '500',
      IMPACT_POLL_INTERVAL_MS: '50',
      ...impactConfigToEnv(api.fake!.clientConfig({ only: impactProducts, timeoutMs: options.impactTimeoutMs ?? 2_000 })),
      ...options.workerEnv,
    };
    await startWorker();
    await createKiloPassProgram(api);
  }, 120_000);

  afterAll(async () => {
    await stopWorker();
  }, 30_000);

  const result = async <T>(workflowId: string, timeoutMs = 30_000): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        // The api queued the workflow in its outbox; the worker process's relay starts it shortly after.
        waitUntilRelayed(api.temporal, workflowId, timeoutMs).then(() => api.temporal.workflow.getHandle(workflowId).result() as Promise<T>),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${workflowId} did not finish within ${timeoutMs} ms:\n${[...outputs, worker?.output() ?? ''].join('\n')}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    api,
    id: (name) => `${name}-${api.run}`,
    startWorker,
    stopWorker,
    killWorker,
    result,
    get workerEnv() {
      return env;
    },
  };
}

/** Re-exported for the specs that import it from here. */
export { eventually } from '@referrals/db/testing';

export interface ReferredSubscriber {
  referrer: string;
  referee: string;
  refereeEmail: string;
  /** The referee's pending 2450-cent reward (earned by the first tier_49 payment). */
  refereeReward: Reward;
}

/**
 * The Kilo Pass referral path over the api, each step finished by the worker: the referrer gets a
 * widget token (registered in Advocate, code stored), the visitor's `_saasquatch` touch and
 * signup, the referee's widget token with the cookie (registered as referred), a first tier_49
 * payment (2450 cents pending each, referral SALE reported). Advocate then holds a 24.50 USD
 * reward for the referee: the one a redemption of the local reward redeems.
 */
export async function referredKiloPassSubscriber(e2e: WorkerE2e, name: string): Promise<ReferredSubscriber> {
  const { api } = e2e;
  const referrer = e2e.id(`${name}-referrer`);
  const referee = e2e.id(`${name}-referee`);
  const referrerEmail = `${referrer}@example.com`;
  const refereeEmail = `${referee}@example.com`;

  // The storefront's and billing's calls go through the typed client over HTTP, as a host's servers make them.
  const storefront = api.client('storefront');
  const billing = api.client('billing');

  const token = ok(await storefront.POST('/v1/widget-tokens', { body: { programKey: KILO_PASS_PROGRAM, user: { id: referrer, email: referrerEmail } } }));
  await expectSucceeded(e2e, token.registration.workflowId);
  const code = (await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, referrer))?.referralCode;
  if (!code) throw new Error(`the registration of ${referrer} stored no referral code`);
  // The registration gave Advocate's code to attribution; the touch names it as the link's rsCode
  // (attribution reads the code, not the cookie), as in acceptance 1.
  const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code });
  const touch = await storefront.POST('/v1/touches', {
    body: { kind: 'referral', anonymousId: e2e.id(`${name}-anon`), product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: code } },
  });
  if (touch.response.status !== 201) throw new Error(`the touch of ${referee} answered ${touch.response.status}: ${JSON.stringify(touch.error)}`);
  const signup = ok(await storefront.POST('/v1/signups', { body: { product: 'kilo_pass', userId: referee, anonymousId: e2e.id(`${name}-anon`), email: refereeEmail } }));
  if (signup.referral?.status !== 'qualified') throw new Error(`the referral of ${referee} did not qualify: ${JSON.stringify(signup)}`);
  const refereeToken = ok(
    await storefront.POST('/v1/widget-tokens', { body: { programKey: KILO_PASS_PROGRAM, user: { id: referee, email: refereeEmail }, saasquatchCookie: cookie } }),
  );
  await expectSucceeded(e2e, refereeToken.registration.workflowId);

  const invoice = e2e.id(`${name}-in`);
  ok(await billing.POST('/v1/events/payment-succeeded', { body: { ...kiloPayment(referee, invoice), email: refereeEmail } as PaymentSucceeded }));
  const report = await e2e.result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${invoice}`));
  if (report.reported?.status !== 'succeeded') throw new Error(`the referral SALE of ${invoice} was not reported: ${JSON.stringify(report)}`);
  await api.fake!.settle();
  const refereeParticipant = await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, referee);
  if (!api.fake!.rewards().some((r) => r.userId === refereeParticipant?.participantId && r.assignedCredit === 24.5)) {
    throw new Error(`Advocate holds no 24.50 USD reward for ${referee}`);
  }
  const [refereeReward] = await listRewards(api.db.sequelize, { beneficiaryId: referee });
  if (refereeReward?.status !== 'pending') throw new Error(`${referee} has no pending reward: ${JSON.stringify(refereeReward)}`);
  return { referrer, referee, refereeEmail, refereeReward };
}

async function expectSucceeded(e2e: WorkerE2e, workflowId: string): Promise<void> {
  const registered = await e2e.result<DeliveryResult>(workflowId);
  if (registered.status !== 'succeeded') throw new Error(`${workflowId} ended ${registered.status}: ${JSON.stringify(registered.error)}`);
}

/**
 * The body of `POST /v1/events/issuance-created` for a monthly Kilo Pass issuance created `createdInMs`
 * from now (after the rewards earned so far), period of 30 days. Not a first-time subscriber unless
 * asked: no welcome promo, so the referral reward or the usage bonus decide.
 */
export function kiloIssuance(issuanceId: string, subscriberId: string, overrides: Record<string, unknown> = {}, createdInMs = 1_000) {
  const createdAt = new Date(Date.now() + createdInMs);
  return {
    issuanceId,
    subscriberId,
    product: 'kilo_pass',
    programKey: KILO_PASS_PROGRAM,
    issuanceCreatedAt: createdAt.toISOString(),
    periodEndsAt: new Date(createdAt.getTime() + 30 * DAY_MS).toISOString(),
    interval: 'month',
    subscriptionStatus: 'active',
    issuanceNumber: 2,
    firstTimeSubscriber: false,
    subscriberStartedAt: new Date(createdAt.getTime() - 30 * DAY_MS).toISOString(),
    ...overrides,
  };
}

/** Redeem calls the fake received for one local reward (the worker's request ids name it). */
export function redeemCallsOf(api: ApiHarness, rewardId: string) {
  return api.fake!.requests({ operation: 'redeemReward' }).filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`));
}

/** The reward lookups (`GET /reward/{id}`) a retried redemption of the local reward made before redeeming. */
export function lookupCallsOf(api: ApiHarness, rewardId: string) {
  return api.fake!.requests({ operation: 'lookupReward' }).filter((r) => r.requestId?.startsWith(`impact-advocate-reward-redemption:${rewardId}:`));
}
