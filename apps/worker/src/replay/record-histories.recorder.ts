// Records the workflow histories the replay spec replays (`npm run workflows:record-histories`).
// Every workflow type of libs/workflows runs here against the real Temporal dev server, a real
// in-process worker with the real activities, the fake Impact over HTTP and PostgreSQL (the worker
// harness), then its history is fetched and written to `histories/<workflowType>-<case>.json`.
// Only cases whose file does not exist yet run: a committed history is never re-recorded (that
// would hide the very incompatibility the replay test exists to catch). Ids are obviously fake and
// no email, cookie or credential is passed; every history is checked before it is written.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { applyRewardToIssuance } from '@referrals/ledger';
import {
  issuanceBonusStateQuery,
  issuanceCreatedSignalWithStart,
  startOptions,
  usageThresholdCrossedSignalWithStart,
  workflowIds,
  workflowTypes,
  type IssuanceBonusInput,
  type RegisterParticipantInput,
  type ReportConversionInput,
  type WorkflowSettings,
} from '@referrals/workflows';
import {
  eventually,
  givenImpactParticipantWithReward,
  grantKiloPassRewards,
  KILO_PASS,
  monthlyIssuanceFacts,
  uniqueId,
  useWorkerHarness,
} from '../testing/worker-harness';
import { HISTORIES_DIR, historyPath, historyToFixture, sensitiveValuesIn } from './histories';

/** Per-case settings on top of the harness's short test timings (read by `loadWorkflowSettings`). */
let settingsOverride: Partial<WorkflowSettings> = {};

const h = useWorkerHarness({
  activityOverrides: (real) => ({
    loadWorkflowSettings: async () => ({ ...(await real.loadWorkflowSettings()), ...settingsOverride }),
  }),
});

/** Fetches one run's history (the latest without `runId`), checks it and writes it, never over an existing file. */
async function save(name: string, workflowId: string, runId?: string): Promise<void> {
  const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const json = historyToFixture(history);
  const found = sensitiveValuesIn(json);
  if (found.length > 0) throw new Error(`${name}: the history holds ${found.join(', ')}; record with fake values only`);
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(historyPath(name), `${JSON.stringify(json, null, 2)}\n`, { flag: 'wx' });
}

/** A participant known to Impact under an id that is plainly not an email. */
const fakeParticipant = (userId: string) => `participant-${userId}`;

async function appliedReward(product: string = KILO_PASS.product) {
  const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000), product });
  const applied = await applyRewardToIssuance(h.sequelize, {
    issuanceId: uniqueId('iss'),
    beneficiaryId: referee.beneficiaryId,
    product,
    issuanceCreatedAt: new Date(),
    actor: 'recorder:apply',
  });
  if (applied.outcome !== 'applied') throw new Error(`expected the reward to be applied, got ${applied.outcome}`);
  return applied.reward;
}

async function redeem(reward: { id: string; programKey: string; beneficiaryId: string }) {
  const options = startOptions.rewardRedemption({ rewardId: reward.id, programKey: reward.programKey, beneficiaryId: reward.beneficiaryId }, { taskQueue: h.taskQueue });
  const handle = await h.client.workflow.start(workflowTypes.rewardRedemption, options);
  await handle.result();
  return handle;
}

function register(userId: string, product: string = KILO_PASS.product) {
  const id = fakeParticipant(userId);
  const input: RegisterParticipantInput = { programKey: KILO_PASS.programKey, product, userId, participant: { id, accountId: id, firstName: 'Fake', locale: 'en-US' } };
  const options = startOptions.participantRegistration(input, { taskQueue: h.taskQueue });
  return h.client.workflow.execute(workflowTypes.participantRegistration, options).then(() => options.workflowId);
}

function payment(attribution: ReportConversionInput['attribution']): ReportConversionInput {
  return {
    conversionId: uniqueId('conv'),
    product: KILO_PASS.product,
    programKey: KILO_PASS.programKey,
    provider: 'stripe',
    sourcePaymentId: uniqueId('in_fake'),
    userId: uniqueId('referee'),
    customerEmail: null,
    occurredAt: new Date().toISOString(),
    amountMinor: 4900,
    currency: 'USD',
    item: { category: 'subscription', name: 'tier_49', sku: 'tier_49' },
    attribution,
  };
}

async function report(input: ReportConversionInput): Promise<string> {
  const options = startOptions.conversionReport(input, { taskQueue: h.taskQueue });
  await h.client.workflow.execute(workflowTypes.conversionReport, options);
  return options.workflowId;
}

async function reverse(input: Pick<ReportConversionInput, 'conversionId' | 'product' | 'provider' | 'sourcePaymentId'>, adverseKind: 'refund' | 'chargeback'): Promise<string> {
  const options = startOptions.conversionReversal({ ...input, adverseKind }, { taskQueue: h.taskQueue });
  await h.client.workflow.execute(workflowTypes.conversionReversal, options);
  return options.workflowId;
}

/** Facts of a monthly issuance created now (cutoff as the api stamps it). */
const facts = monthlyIssuanceFacts;

const issuance = (subscriberId: string = uniqueId('subscriber')): Omit<IssuanceBonusInput, 'facts'> => ({
  issuanceId: uniqueId('iss'),
  subscriberId,
  product: KILO_PASS.product,
  programKey: KILO_PASS.programKey,
});

async function decide(input: IssuanceBonusInput): Promise<string> {
  const options = startOptions.issuanceBonus(input, { taskQueue: h.taskQueue });
  await h.client.workflow.execute(workflowTypes.issuanceBonus, options);
  return options.workflowId;
}

/** One recording case: runs its scenario and saves the histories it names (`<workflowType>-<case>`). */
const cases: Record<string, () => Promise<void>> = {
  'stackCheck-database-time': async () => {
    const workflowId = workflowIds.stackCheck(randomUUID());
    await h.client.workflow.execute(workflowTypes.stackCheck, { taskQueue: h.taskQueue, workflowId });
    await save('stackCheck-database-time', workflowId);
  },

  'registerParticipant-succeeded': async () => save('registerParticipant-succeeded', await register(uniqueId('referrer'))),
  'registerParticipant-retried-503': async () => {
    h.impact.fake.faults.failNext('upsertParticipant', 503, { times: 2 });
    await save('registerParticipant-retried-503', await register(uniqueId('user')));
  },
  'registerParticipant-disabled': async () => save('registerParticipant-disabled', await register(uniqueId('user'), 'unconfigured_product')),

  'reportConversion-referral-sale': async () =>
    save('reportConversion-referral-sale', await report(payment({ winner: 'referral', affiliateClickId: 'irclick-fake-1' }))),
  'reportConversion-affiliate-sale': async () =>
    save('reportConversion-affiliate-sale', await report(payment({ winner: 'affiliate', clickId: 'irclick-fake-2' }))),
  'reportConversion-retried-503-then-polled': async () => {
    h.impact.fake.faults.failNext('submitConversion', 503, { times: 1 });
    h.impact.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 4 } });
    try {
      await save('reportConversion-retried-503-then-polled', await report(payment({ winner: 'referral' })));
    } finally {
      h.impact.fake.configure({ submissions: { mode: 'immediate' } });
    }
  },

  'reverseConversion-refund': async () => {
    const input = payment({ winner: 'referral' });
    await report(input);
    await save('reverseConversion-refund', await reverse(input, 'refund'));
  },
  'reverseConversion-nothing-reported': async () => save('reverseConversion-nothing-reported', await reverse(payment({ winner: 'referral' }), 'chargeback')),

  'redeemReward-succeeded': async () => {
    const reward = await appliedReward();
    await givenImpactParticipantWithReward(h, reward.beneficiaryId, 24.5, fakeParticipant(reward.beneficiaryId));
    await save('redeemReward-succeeded', (await redeem(reward)).workflowId);
  },
  'redeemReward-retried-503': async () => {
    const reward = await appliedReward();
    await givenImpactParticipantWithReward(h, reward.beneficiaryId, 24.5, fakeParticipant(reward.beneficiaryId));
    h.impact.fake.faults.failNext('redeemReward', 503, { times: 3 });
    await save('redeemReward-retried-503', (await redeem(reward)).workflowId);
  },
  'redeemReward-failed-400': async () => {
    const reward = await appliedReward();
    await givenImpactParticipantWithReward(h, reward.beneficiaryId, 24.5, fakeParticipant(reward.beneficiaryId));
    h.impact.fake.faults.failNext('redeemReward', 400);
    await save('redeemReward-failed-400', (await redeem(reward)).workflowId);
  },
  'redeemReward-disabled': async () => save('redeemReward-disabled', (await redeem(await appliedReward('unconfigured_product'))).workflowId),
  // A long outage: two attempts per run, so the redemption continues as new twice (runs 1 and 3 recorded).
  'redeemReward-continued-as-new': async () => {
    const reward = await appliedReward();
    await givenImpactParticipantWithReward(h, reward.beneficiaryId, 24.5, fakeParticipant(reward.beneficiaryId));
    h.impact.fake.faults.failNext('redeemReward', 503, { times: 4 });
    settingsOverride = { attemptsPerRun: 2 };
    try {
      const handle = await redeem(reward);
      await save('redeemReward-continued-as-new-first-run', handle.workflowId, handle.firstExecutionRunId);
      await save('redeemReward-continued-as-new-last-run', handle.workflowId);
    } finally {
      settingsOverride = {};
    }
  },

  'decideIssuanceBonus-welcome-promo': async () =>
    save('decideIssuanceBonus-welcome-promo', await decide({ ...issuance(), facts: facts({ issuanceNumber: 1, firstTimeSubscriber: true }) })),
  // Applies the referee's reward and starts its redemption as an abandoned child workflow.
  'decideIssuanceBonus-referral-bonus': async () => {
    const { referee } = await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    await givenImpactParticipantWithReward(h, referee.beneficiaryId, 24.5, fakeParticipant(referee.beneficiaryId));
    const workflowId = await decide({ ...issuance(referee.beneficiaryId), facts: facts({ issuanceNumber: 2, firstTimeSubscriber: true }) });
    await h.client.workflow.getHandle(workflowIds.rewardRedemption(referee.id)).result();
    await save('decideIssuanceBonus-referral-bonus', workflowId);
  },
  // Waits on a timer-bounded condition, then the usage signal arrives.
  'decideIssuanceBonus-usage-bonus-signalled': async () => {
    const options = startOptions.issuanceBonus({ ...issuance(), facts: facts({ issuanceNumber: 3 }) }, { taskQueue: h.taskQueue });
    const handle = await h.client.workflow.start(workflowTypes.issuanceBonus, options);
    await eventually(async () => (await handle.query(issuanceBonusStateQuery)).phase === 'waiting_for_usage', 10_000, 'waiting_for_usage');
    await handle.signal('usageThresholdCrossed', { crossedAt: new Date().toISOString() });
    await handle.result();
    await save('decideIssuanceBonus-usage-bonus-signalled', handle.workflowId);
  },
  'decideIssuanceBonus-none-period-ended': async () =>
    save('decideIssuanceBonus-none-period-ended', await decide({ ...issuance(), facts: facts({ issuanceNumber: 3, periodMs: 1_500 }) })),
  // Started by the usage signal (signalWithStart), the facts come later by signal.
  'decideIssuanceBonus-facts-by-signal': async () => {
    const work = issuance();
    const handle = await h.client.workflow.signalWithStart(
      workflowTypes.issuanceBonus,
      usageThresholdCrossedSignalWithStart(work, { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue }),
    );
    await eventually(async () => (await handle.query(issuanceBonusStateQuery)).phase === 'waiting_for_facts', 10_000, 'waiting_for_facts');
    await h.client.workflow.signalWithStart(workflowTypes.issuanceBonus, issuanceCreatedSignalWithStart(work, facts({ issuanceNumber: 3 }), { taskQueue: h.taskQueue }));
    await handle.result();
    await save('decideIssuanceBonus-facts-by-signal', handle.workflowId);
  },
  'decideIssuanceBonus-none-facts-timed-out': async () => {
    settingsOverride = { issuanceFactsWaitMs: 1_000 };
    try {
      const handle = await h.client.workflow.signalWithStart(
        workflowTypes.issuanceBonus,
        usageThresholdCrossedSignalWithStart(issuance(), { crossedAt: new Date().toISOString() }, { taskQueue: h.taskQueue }),
      );
      await handle.result();
      await save('decideIssuanceBonus-none-facts-timed-out', handle.workflowId);
    } finally {
      settingsOverride = {};
    }
  },

  // Three batches of two rewards past their expiry.
  'expireRewards-batches': async () => {
    const expiresAt = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < 3; i++) {
      await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 7_200_000), expiresAt });
    }
    const workflowId = `expire-rewards-${randomUUID()}`;
    await h.client.workflow.execute(workflowTypes.expireRewards, { taskQueue: h.taskQueue, workflowId, args: [{ batchSize: 2 }] });
    await save('expireRewards-batches', workflowId);
  },
  // Verifies the ledger (sound) and records the result.
  'verifyLedgerBooks-sound': async () => {
    await grantKiloPassRewards(h.sequelize, { earnedAt: new Date(Date.now() - 60_000) });
    const workflowId = `verify-ledger-${randomUUID()}`;
    await h.client.workflow.execute(workflowTypes.verifyLedger, { taskQueue: h.taskQueue, workflowId, args: [{}] });
    await save('verifyLedgerBooks-sound', workflowId);
  },
  // Retention: three anonymous touches captured 100 days ago that attributed nothing, deleted in two batches of two.
  'purgeStaleTouches-two-batches': async () => {
    const touchedAt = new Date(Date.now() - 100 * 86_400_000);
    touchedAt.setUTCSeconds(0, 0);
    for (let i = 0; i < 3; i++) {
      await h.sequelize.query(
        `INSERT INTO attribution_touches (kind, anonymous_id, product, status, touched_at, touched_minute, dedupe_key)
         VALUES ('affiliate', $1, $2, 'accepted', $3, $3, encode(sha256(convert_to($1, 'UTF8')), 'hex'))`,
        { bind: [uniqueId('anon'), KILO_PASS.product, touchedAt] },
      );
    }
    const workflowId = `purge-touches-${randomUUID()}`;
    await h.client.workflow.execute(workflowTypes.purgeTouches, { taskQueue: h.taskQueue, workflowId, args: [{ batchSize: 2 }] });
    await save('purgeStaleTouches-two-batches', workflowId);
  },
  // Starts the missing redemption of an applied reward as a child workflow.
  'backfillRedemptions-started-one': async () => {
    const reward = await appliedReward();
    await givenImpactParticipantWithReward(h, reward.beneficiaryId, 24.5, fakeParticipant(reward.beneficiaryId));
    const workflowId = `backfill-redemptions-${randomUUID()}`;
    await h.client.workflow.execute(workflowTypes.backfillRedemptions, { taskQueue: h.taskQueue, workflowId, args: [{}] });
    await h.client.workflow.getHandle(workflowIds.rewardRedemption(reward.id)).result();
    await save('backfillRedemptions-started-one', workflowId);
  },
};

/** A case is recorded once: when every history it writes exists, it does not run. */
const recordedFiles = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR) : [];
const missing = Object.entries(cases).filter(([name]) => !recordedFiles.some((file) => file === `${name}.json` || file.startsWith(`${name}-`)));

describe('record workflow histories (only cases without a committed history)', () => {
  afterEach(() => h.impact.fake.faults.clear());

  if (missing.length === 0) it('every case has its committed history: nothing to record', () => expect(missing).toEqual([]));
  for (const [name, run] of missing) it(name, run, 60_000);
});
