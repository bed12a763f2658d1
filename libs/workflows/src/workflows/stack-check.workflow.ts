import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { type StackCheckActivities } from '../activities.contract';

const { readDatabaseTime } = proxyActivities<StackCheckActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, initialInterval: '200 milliseconds' },
});

export interface StackCheckResult {
  workflowId: string;
  databaseTime: string;
}

/**
 * End-to-end check of the running system: a workflow, scheduled by Temporal, runs on our worker and
 * calls an activity that queries PostgreSQL. `npm start` runs it once to prove the stack works.
 */
export async function stackCheck(): Promise<StackCheckResult> {
  const { databaseTime } = await readDatabaseTime();
  return { workflowId: workflowInfo().workflowId, databaseTime };
}
