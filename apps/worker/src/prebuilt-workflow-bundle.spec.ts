import { randomUUID } from 'node:crypto';
import { workflowIds } from '@referrals/workflows';
import { useWorkerHarness } from './testing/worker-harness';

/*
 * The production image's worker loads its workflows from a prebuilt file (WORKFLOW_BUNDLE_PATH,
 * written by `nx build worker`) instead of bundling at start: the file form must run the
 * production workflows, activities included.
 */
describe('worker with the workflow bundle loaded from a file ({ codePath })', () => {
  const h = useWorkerHarness({ bundleFromFile: true });

  it('runs a production workflow whose activity reads the real database', async () => {
    const workflowId = workflowIds.stackCheck(randomUUID());
    const result = await h.client.workflow.execute('stackCheck', { taskQueue: h.taskQueue, workflowId });
    expect(result.workflowId).toBe(workflowId);
    expect(Number.isNaN(Date.parse(result.databaseTime))).toBe(false);
  });
});
