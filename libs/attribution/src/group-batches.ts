/** Runs one batch: one result per item, in the items' order. */
export type RunBatch<I, R> = (items: readonly I[]) => Promise<readonly R[]>;

export interface GroupBatcher<I, R> {
  /** Queues the item for the next batch; settles with its own result once that batch has run. */
  submit(item: I): Promise<R>;
}

export interface GroupBatcherOptions {
  /** Most items in one batch. */
  readonly maxBatch: number;
  /** Most batches running at once: one fills while the other runs. */
  readonly maxInFlight: number;
}

interface Waiting<I, R> {
  readonly item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group batching for the touch capture path (its writes and its program lookups): items that arrive
 * while a batch is running wait for the next one and go in together, one statement for all of
 * them. Alone, an item runs at once, in the next turn of the event loop, so nothing waits on a
 * timer and the latency at low load is a single statement's.
 *
 * A batch starts only after every item in it was submitted, so each caller sees everything
 * committed before it asked, as a statement of its own would. If a batch fails, its items are run
 * one by one, so one bad item fails only its own caller.
 */
export function createGroupBatcher<I, R>(run: RunBatch<I, R>, options: GroupBatcherOptions): GroupBatcher<I, R> {
  const { maxBatch, maxInFlight } = options;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlight must be a positive integer');

  const queue: Waiting<I, R>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const pump = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      void flush(batch).finally(() => {
        inFlight--;
        schedule();
      });
    }
  };
  // setImmediate, not a microtask: requests whose bodies were parsed in the same turn join one batch.
  const schedule = () => {
    if (scheduled || queue.length === 0 || inFlight >= maxInFlight) return;
    scheduled = true;
    setImmediate(pump);
  };

  async function flush(batch: readonly Waiting<I, R>[]): Promise<void> {
    try {
      const results = await run(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i] as R));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      // Isolate the failure: each item alone, so only the bad one's caller sees an error.
      await Promise.all(batch.map((w) => flush([w])));
    }
  }

  return {
    submit: (item) =>
      new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        schedule();
      }),
  };
}
