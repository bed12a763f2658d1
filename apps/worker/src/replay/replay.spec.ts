import path from 'node:path';
import { workflowTypes } from '@referrals/workflows';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../workflow-bundle';
import { historyFromFixture, loadHistories, sensitiveValuesIn, type HistoryFixture } from './histories';

/**
 * Replays every committed workflow history (src/replay/histories, recorded by
 * `npm run workflows:record-histories`) against the current workflow bundle: a workflow change
 * that would break the executions already running (a redemption or an issuance can wait for
 * days) fails here, in CI, before it is deployed. See README "Changing a workflow".
 */
const histories = loadHistories();

function replay(bundle: WorkflowBundleWithSourceMap | undefined, name: string, history: HistoryFixture): Promise<void> {
  if (!bundle) throw new Error('the workflow bundle is built in beforeAll');
  return Worker.runReplayHistory({ workflowBundle: bundle, replayName: name }, historyFromFixture(history), name);
}

const byName = (name: string): HistoryFixture => {
  const found = histories.find((h) => h.name === name);
  if (!found) throw new Error(`no committed history ${name}`);
  return found.history;
};

describe('replay of the committed workflow histories', () => {
  let bundle: WorkflowBundleWithSourceMap | undefined;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // Already installed in this process.
    }
    bundle = await bundleWorkflows();
  }, 120_000);

  it('every workflow type of the bundle has at least one committed history', () => {
    expect([...new Set(histories.map((h) => h.workflowType))].sort()).toEqual(Object.values(workflowTypes).sort());
  });

  describe.each(histories.map((h) => [h.name, h] as const))('%s', (name, recorded) => {
    it('replays against the current workflow code without nondeterminism', () => replay(bundle, name, recorded.history), 60_000);

    it('holds no email, cookie or credential', () => {
      expect(sensitiveValuesIn(recorded.history)).toEqual([]);
    });
  });

  describe('the replay test can fail', () => {
    it('a history whose activity type differs from what the code schedules is reported as nondeterministic', async () => {
      const edited = structuredClone(byName('redeemReward-succeeded'));
      const scheduled = edited.events
        .map((e) => e['activityTaskScheduledEventAttributes'] as { activityType: { name: string } } | undefined)
        .find((a) => a?.activityType.name === 'attemptRewardRedemption');
      if (!scheduled) throw new Error('the recorded redemption scheduled no attemptRewardRedemption');
      scheduled.activityType.name = 'attemptRewardRedemptionV2';

      await expect(replay(bundle, 'redeemReward-succeeded (edited)', edited)).rejects.toMatchObject({
        name: 'DeterminismViolationError',
        message: expect.stringMatching(/nondeterminism/i),
      });
    }, 60_000);

    it('a workflow changed without patched() (a timer added before its activity) is reported as nondeterministic', async () => {
      const altered = await bundleWorkflows(path.join(__dirname, 'testing', 'altered.workflows.ts'));
      // The unchanged workflows of the altered bundle still replay; the changed one does not.
      await expect(replay(altered, 'redeemReward-succeeded (altered bundle)', byName('redeemReward-succeeded'))).resolves.toBeUndefined();
      await expect(replay(altered, 'stackCheck-database-time (altered bundle)', byName('stackCheck-database-time'))).rejects.toMatchObject({
        name: 'DeterminismViolationError',
      });
    }, 120_000);
  });

  describe('the history check can fail', () => {
    it('finds an email address inside a base64 payload, a _saasquatch cookie and a credential field', () => {
      const payload = (value: unknown) => ({ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: Buffer.from(JSON.stringify(value)).toString('base64') });
      const history = {
        events: [
          { workflowExecutionStartedEventAttributes: { input: { payloads: [payload({ participant: { email: 'someone@example.com' } })] } } },
          { activityTaskScheduledEventAttributes: { input: { payloads: [payload({ cookies: '_saasquatch=opaque', apiKey: 'k' })] } } },
        ],
      };
      expect(sensitiveValuesIn(history)).toEqual(['_saasquatch cookie', 'credential field', 'email address']);
    });
  });
});
