import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SEARCH_ATTRIBUTES, workflowIds } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { ensureSearchAttributes } from './search-attributes';
import { useWorkerHarness } from './testing/worker-harness';
import { bundleWorkflows } from './workflow-bundle';

describe('worker', () => {
  const h = useWorkerHarness({ workflowsPath: path.join(__dirname, 'testing', 'package-imports.workflow.ts') });

  it('bundles the production workflows, which import workspace libs by package name', async () => {
    const bundle = await bundleWorkflows();
    for (const name of ['decideIssuanceBonus', 'redeemReward', 'registerParticipant', 'reportConversion', 'reverseConversion', 'expireRewards', 'backfillRedemptions', 'stackCheck']) {
      expect(bundle.code).toContain(name);
    }
  }, 60_000);

  it('runs a workflow whose activity reads the real database', async () => {
    const [row] = await h.sequelize.query<{ now: Date }>('SELECT now() AS now', { type: QueryTypes.SELECT });
    const result = await h.client.workflow.execute('stackCheck', { taskQueue: h.taskQueue, workflowId: workflowIds.stackCheck(randomUUID()) });
    expect(Math.abs(Date.parse(result.databaseTime) - new Date(row!.now).getTime())).toBeLessThan(60_000);
  });

  it('resolves package-name imports inside the sandbox at run time', async () => {
    const result = await h.client.workflow.execute('describeTaskQueue', { taskQueue: h.taskQueue, workflowId: `describe-${randomUUID()}` });
    expect(result.taskQueue).toBe('referrals');
  });

  it('starting the same business work twice is a no-op: the second start finds the first', async () => {
    const workflowId = workflowIds.stackCheck(randomUUID());
    const first = await h.client.workflow.start('stackCheck', { taskQueue: h.taskQueue, workflowId });
    await expect(h.client.workflow.start('stackCheck', { taskQueue: h.taskQueue, workflowId })).rejects.toThrow(/already started/i);
    expect((await first.result()).workflowId).toBe(workflowId);
  });

  it('finds every custom search attribute registered on the cluster (nothing left to add)', async () => {
    const connection = h.connection;
    expect(await ensureSearchAttributes(connection, 'default')).toEqual([]);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTES)));
  });
});
