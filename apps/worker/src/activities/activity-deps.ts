import { type ImpactClient } from '@referrals/impact-client';
import { type WorkflowSettings } from '@referrals/workflows';
import { type Sequelize } from 'sequelize';

/** Polling of queued Impact Performance submissions inside one attempt. */
export interface ImpactPollingSettings {
  maxPolls: number;
  pollIntervalMs: number;
}

/** What the activities are built from: real dependencies in the worker and in tests. */
export interface ActivityDeps {
  sequelize: Sequelize;
  impact: ImpactClient;
  settings: WorkflowSettings;
  polling: ImpactPollingSettings;
  clock: () => Date;
}
