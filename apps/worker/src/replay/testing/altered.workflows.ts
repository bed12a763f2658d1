// A deliberately incompatible workflow bundle for the replay spec: every workflow of
// `@referrals/workflows/workflows`, except `stackCheck`, which now sleeps before its activity.
// A deploy with such a change (a new timer, without `patched()`) would break every stack check
// already running; replaying the committed history against this bundle must say so.
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { type StackCheckActivities } from '@referrals/workflows';
import { type StackCheckResult } from '@referrals/workflows/workflows';

export * from '@referrals/workflows/workflows';

const { readDatabaseTime } = proxyActivities<StackCheckActivities>({ startToCloseTimeout: '10 seconds' });

export async function stackCheck(): Promise<StackCheckResult> {
  await sleep('1 second');
  const { databaseTime } = await readDatabaseTime();
  return { workflowId: workflowInfo().workflowId, databaseTime };
}
