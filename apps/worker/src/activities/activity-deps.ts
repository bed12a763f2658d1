import { type ReferralCodeRegistry } from '@referrals/attribution';
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
  /** Attribution's referral codes: the code Impact Advocate returns at registration is registered there too. */
  referralCodes: Pick<ReferralCodeRegistry, 'registerReferralCode'>;
  settings: WorkflowSettings;
  polling: ImpactPollingSettings;
  clock: () => Date;
}
