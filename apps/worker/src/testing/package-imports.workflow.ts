// A workflow entry point that reaches workspace code only through package names, as production
// workflows will (`@referrals/rule-dsl` and friends): bundling it proves the bundler resolves them.
import { proxyActivities } from '@temporalio/workflow';
import { TASK_QUEUE, type StackCheckActivities } from '@referrals/workflows';

export { stackCheck } from '@referrals/workflows/workflows';

const { readDatabaseTime } = proxyActivities<StackCheckActivities>({ startToCloseTimeout: '10 seconds' });

/** Answers with a constant from the contracts package and the activity's result. */
export async function describeTaskQueue(): Promise<{ taskQueue: string; databaseTime: string }> {
  const { databaseTime } = await readDatabaseTime();
  return { taskQueue: TASK_QUEUE, databaseTime };
}
