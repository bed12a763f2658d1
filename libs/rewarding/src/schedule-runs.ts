import { queueScheduleRun as queueRun, type ScheduleRun } from '@referrals/outbox';
import { type ScheduleName, scheduleWorkflowTypes, startOptions } from '@referrals/workflows';
import { type RewardingDeps } from './record-qualifying-event';

/**
 * An operator's "run this scheduled job now" (expire-rewards, backfill-redemptions): the run is
 * recorded and the schedule's workflow start queued in ONE transaction (the outbox relay starts it;
 * the api never waits for Temporal). The workflow writes what it changed into the run when it ends.
 */
export async function queueScheduleRun(deps: Pick<RewardingDeps, 'sequelize' | 'startOverrides'>, input: { schedule: ScheduleName; requestedBy: string }): Promise<ScheduleRun> {
  return deps.sequelize.transaction((t) =>
    queueRun(deps.sequelize, t, {
      schedule: input.schedule,
      requestedBy: input.requestedBy,
      work: (runId) => ({ kind: 'start', workflowType: scheduleWorkflowTypes[input.schedule], options: startOptions.scheduleRun(input.schedule, runId, deps.startOverrides) }),
    }),
  );
}
