import { eventually, type WorkerE2e } from './worker-e2e';

/**
 * Every workflow this file's worker ran (its own task queue), once `expected` shows in Temporal's
 * visibility store: workflow id → every payload of its history (inputs, results, activity
 * arguments and results, signals), memo and search attributes, decoded as text.
 */
export async function flowHistories(e2e: WorkerE2e, expected: readonly string[]): Promise<Map<string, string>> {
  const client = e2e.api.temporal;
  const ids = await eventually(
    async () => {
      const listed: string[] = [];
      for await (const execution of client.workflow.list({ query: `TaskQueue = '${e2e.api.taskQueue}'` })) listed.push(execution.workflowId);
      return expected.every((w) => listed.includes(w)) ? [...new Set(listed)] : undefined;
    },
    20_000,
    'the visibility store to list the flow',
  );
  const out = new Map<string, string>();
  for (const workflowId of ids) {
    const handle = client.workflow.getHandle(workflowId);
    const history = await handle.fetchHistory();
    const info = await handle.describe();
    out.set(workflowId, [...payloadTexts(history.events), JSON.stringify(info.memo ?? {}), JSON.stringify(info.typedSearchAttributes.getAll())].join('\n'));
  }
  return out;
}

/** Every payload of a history as text (Temporal stores them as JSON bytes). */
function payloadTexts(node: unknown, out: string[] = []): string[] {
  if (node instanceof Uint8Array) {
    out.push(Buffer.from(node).toString('utf8'));
  } else if (Array.isArray(node)) {
    for (const item of node) payloadTexts(item, out);
  } else if (node !== null && typeof node === 'object') {
    for (const value of Object.values(node)) payloadTexts(value, out);
  }
  return out;
}
