import { type WorkerActivities } from '@referrals/workflows';
import { QueryTypes, type Sequelize } from 'sequelize';

export interface ActivityDeps {
  sequelize: Sequelize;
}

/** Activity implementations, built from their dependencies (the worker passes real ones). */
export function createActivities(deps: ActivityDeps): WorkerActivities {
  return {
    async readDatabaseTime() {
      const [row] = await deps.sequelize.query<{ now: Date }>('SELECT now() AS now', { type: QueryTypes.SELECT });
      return { databaseTime: new Date(row?.now ?? 0).toISOString() };
    },
  };
}
