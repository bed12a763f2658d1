import { eventually } from '@referrals/db/testing';
import { type Client } from '@temporalio/client';

/**
 * Waits until a workflow the api queued in its outbox exists in Temporal (a relay started it),
 * for at most `timeoutMs`; `context` adds what a failure should show (the processes' output).
 */
export async function waitUntilRelayed(client: Client, workflowId: string, timeoutMs: number, context: () => string = () => ''): Promise<void> {
  try {
    await eventually(
      () =>
        client.workflow
          .getHandle(workflowId)
          .describe()
          .then(() => true)
          .catch((error: Error) => {
            if (error.name === 'WorkflowNotFoundError') return false;
            throw error;
          }),
      timeoutMs,
      `${workflowId} started by a relay`,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${context()}`);
  }
}
