import { scheduleIds } from '@referrals/workflows';
import { z } from 'zod';

const scheduleNames = Object.values(scheduleIds) as [(typeof scheduleIds)[keyof typeof scheduleIds], ...(typeof scheduleIds)[keyof typeof scheduleIds][]];

export const scheduleNameParamsSchema = z.strictObject({
  name: z.enum(scheduleNames).meta({ description: 'A schedule the worker runs: expire-rewards, backfill-redemptions, verify-ledger, purge-touches' }),
});
export const runScheduleRequestSchema = z
  .strictObject({ requestedBy: z.string().trim().min(1).max(200).meta({ description: 'Who asks (`operator:jane`), kept with the run' }) })
  .meta({ id: 'RunScheduleRequest' });
export const scheduleRunParamsSchema = z.strictObject({ runId: z.uuid().meta({ description: 'The run id the run-now answer gave' }) });

export const scheduleRunSchema = z
  .object({
    id: z.string(),
    schedule: z.string(),
    workflowId: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    status: z.enum(['queued', 'succeeded']).meta({ description: 'queued until the workflow ended and recorded its result' }),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: 'What the run changed, as its workflow returned it (expire-rewards: expired, expiredRewardIds; backfill-redemptions: rewardIds, started; purge-touches: deleted, retentionDays)' }),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ScheduleRun' });
export const scheduleRunResponseSchema = z.object({ run: scheduleRunSchema }).meta({ id: 'ScheduleRunResponse' });
