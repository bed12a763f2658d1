import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type ReferralsSignalWithStartOptions, type ReferralsStartOptions } from '@referrals/workflows';
import { ApiError } from '../http/api-error';

export type StartOutcome = 'started' | 'already_finished' | 'signaled';

export interface StartedWorkflow {
  type: string;
  workflowId: string;
  outcome: StartOutcome;
}

export interface WorkflowStarter {
  /**
   * Starts a workflow by its business-derived id. Running already: the running one is used
   * (`USE_EXISTING`); finished already: refused by `REJECT_DUPLICATE` and reported as
   * `already_finished`. Either way nothing runs twice.
   */
  start<I>(type: string, options: ReferralsStartOptions<I>): Promise<StartedWorkflow>;
  /** Signals the workflow, starting it first when it does not run; `already_finished` once it closed. */
  signalWithStart<I>(type: string, options: ReferralsSignalWithStartOptions<I, [unknown]>): Promise<StartedWorkflow>;
}

/** How long a request waits for Temporal to accept a start before answering 503 (the caller retries). */
const START_DEADLINE_MS = 5_000;

function unavailable(type: string, error: unknown): ApiError {
  // The SDK's message is generic ("Failed to start Workflow"); the server's reason is the cause.
  const reasons = [error, (error as { cause?: unknown } | null)?.cause]
    .filter((e): e is Error => e instanceof Error)
    .map((e) => e.message);
  return new ApiError(
    503,
    'workflow_start_failed',
    `Temporal did not accept the ${type} workflow (${reasons.join(': ') || String(error)}); ` +
      'everything before it was recorded idempotently: retry the same request',
  );
}

/**
 * Starts and signals workflows for the api. Starting is the api's whole part in Impact delivery:
 * it never waits for a workflow to finish. When Temporal is unreachable the request fails with
 * 503 after the database work (idempotent by business key) is done, so a retry of the same
 * request completes it instead of losing the start.
 */
export function createWorkflowStarter(client: Client, observe?: (type: string, outcome: StartOutcome | 'failed') => void): WorkflowStarter {
  const note = (type: string, outcome: StartOutcome | 'failed') => observe?.(type, outcome);
  const deadline = () => Date.now() + START_DEADLINE_MS;
  /** One start or signal-with-start: a finished workflow is "already_finished", anything else failing is a 503. */
  const attempt = async (
    type: string,
    workflowId: string,
    success: 'started' | 'signaled',
    call: () => Promise<unknown>,
  ): Promise<{ type: string; workflowId: string; outcome: StartOutcome }> => {
    try {
      await client.withDeadline(deadline(), call);
      note(type, success);
      return { type, workflowId, outcome: success };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        note(type, 'already_finished');
        return { type, workflowId, outcome: 'already_finished' };
      }
      note(type, 'failed');
      throw unavailable(type, error);
    }
  };
  return {
    start: (type, options) => attempt(type, options.workflowId, 'started', () => client.workflow.start(type, options)),
    signalWithStart: (type, options) =>
      attempt(type, options.workflowId, 'signaled', () => client.workflow.signalWithStart(type, options)),
  };
}
