/**
 * Polls `probe` (every 50 ms) until it answers something other than undefined/false, or fails
 * after `timeoutMs` naming `what`. Tests of durable work (workflows, the worker process) wait with
 * it instead of fixed sleeps: they finish as soon as the state is reached.
 */
export async function eventually<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
