import { type WorkerActivities } from '@referrals/workflows';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';

export interface ReferralsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: WorkerActivities;
  /** Built at start (development, tests) or the prebuilt file of the production image (`{ codePath }`). */
  workflowBundle: WorkflowBundleOption;
  /** How long in-flight activities get to finish at shutdown. */
  shutdownGraceTime?: string;
}

/** A worker serving the task queue with the pre-built workflow bundle and the given activities. */
export function createReferralsWorker(options: ReferralsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle,
    activities: options.activities,
    shutdownGraceTime: (options.shutdownGraceTime ?? '10 seconds') as '10 seconds',
  });
}
