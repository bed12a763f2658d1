/**
 * Activity signatures the workflows call. Workflows import these TYPES only and reach the
 * implementations (apps/worker) through `proxyActivities`, which keeps database and network code
 * out of the deterministic workflow sandbox.
 */
export interface StackCheckActivities {
  /** Proves the worker can reach its dependencies: answers with the database's clock. */
  readDatabaseTime(): Promise<{ databaseTime: string }>;
}

export type WorkerActivities = StackCheckActivities;
