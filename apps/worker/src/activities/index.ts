import { type WorkerActivities } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { type ActivityDeps } from './activity-deps';
import { createConversionActivities } from './conversion.activities';
import { createDeliveryEndActivities } from './delivery-recording';
import { createLedgerActivities } from './ledger.activities';
import { createRedemptionActivities } from './redemption.activities';
import { createRegistrationActivities } from './registration.activities';

export { type ActivityDeps, type ImpactPollingSettings } from './activity-deps';
export { dispositionOf } from './conversion.activities';

/**
 * Activity implementations, built from their dependencies (the worker passes real ones: the
 * database, the Impact client, the clock, the settings). Every activity is idempotent.
 */
export function createActivities(deps: ActivityDeps): WorkerActivities {
  return {
    async readDatabaseTime() {
      const [row] = await deps.sequelize.query<{ now: Date }>('SELECT now() AS now', { type: QueryTypes.SELECT });
      return { databaseTime: new Date(row?.now ?? 0).toISOString() };
    },
    loadWorkflowSettings: () => Promise.resolve(deps.settings),
    ...createLedgerActivities(deps),
    ...createRedemptionActivities(deps),
    ...createRegistrationActivities(deps),
    ...createConversionActivities(deps),
    ...createDeliveryEndActivities(deps),
  };
}
