import { type Client, defaultPayloadConverter } from '@temporalio/client';

export interface InspectedWorkflow {
  type: string;
  taskQueue: string;
  status: string;
  memo: Record<string, unknown>;
  searchAttributes: Record<string, unknown>;
  /** The first start argument. */
  input: unknown;
  /** Signals delivered so far, in order. */
  signals: { name: string; input: unknown }[];
}

/** What the api started, as the Temporal server recorded it (the Temporal UI shows the same). */
export async function inspectWorkflow(client: Client, workflowId: string): Promise<InspectedWorkflow> {
  const handle = client.workflow.getHandle(workflowId);
  const info = await handle.describe();
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const decode = (payloads: readonly unknown[] | null | undefined) =>
    (payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p as Parameters<typeof defaultPayloadConverter.fromPayload>[0]));
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  return {
    type: info.type,
    taskQueue: info.taskQueue,
    status: info.status.name,
    memo: info.memo ?? {},
    searchAttributes: Object.fromEntries(info.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value])),
    input: decode(started?.input?.payloads)[0],
    signals: events
      .filter((e) => e.workflowExecutionSignaledEventAttributes)
      .map((e) => ({
        name: e.workflowExecutionSignaledEventAttributes?.signalName ?? '',
        input: decode(e.workflowExecutionSignaledEventAttributes?.input?.payloads)[0],
      })),
  };
}
