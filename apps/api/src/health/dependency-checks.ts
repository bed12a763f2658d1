import { type MigrationSource, pendingMigrations, pingDatabase } from '@referrals/db';
import { Connection } from '@temporalio/client';
import { type Sequelize } from 'sequelize';
import { type ReadinessCheck } from './readiness';

export function postgresCheck(sequelize: Sequelize): ReadinessCheck {
  return { name: 'postgres', check: () => pingDatabase(sequelize) };
}

/** Not ready while any migration of any lib is unapplied: the code would meet an older schema. */
export function migrationsCheck(sequelize: Sequelize, sources: readonly MigrationSource[]): ReadinessCheck {
  return {
    name: 'migrations',
    async check() {
      const pending = await pendingMigrations(sequelize, sources);
      if (pending.length > 0) throw new Error(`${pending.length} pending: ${pending.slice(0, 3).join(', ')}`);
    },
  };
}

/**
 * Temporal reachability. The connection is made lazily and dropped after a failure, so the api
 * starts (and reports 503) while Temporal is down, and recovers by itself when it is back.
 */
export class TemporalProbe implements ReadinessCheck {
  readonly name = 'temporal';
  private connection: Connection | undefined;

  constructor(
    private readonly address: string,
    private readonly namespace: string,
  ) {}

  async check(): Promise<void> {
    try {
      const connection = (this.connection ??= await Connection.connect({ address: this.address, connectTimeout: 2_000 }));
      await connection.withDeadline(Date.now() + 2_000, () =>
        connection.workflowService.describeNamespace({ namespace: this.namespace }),
      );
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close().catch(() => undefined);
  }
}
