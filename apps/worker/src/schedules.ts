import { scheduleIds, workflowTypes } from '@referrals/workflows';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { type ScheduleIntervals } from './config';

export interface EnsureSchedulesOptions {
  taskQueue: string;
  intervals: ScheduleIntervals;
  /** Prefixes the schedule ids (tests keep their schedules apart on a shared server). */
  idPrefix?: string;
}

export interface EnsuredSchedule {
  scheduleId: string;
  action: 'created' | 'updated';
}

function scheduleDefinitions(options: EnsureSchedulesOptions): ScheduleOptions[] {
  const prefix = options.idPrefix ?? '';
  const define = (scheduleId: string, workflowType: string, everyMs: number, note: string): ScheduleOptions => ({
    scheduleId: `${prefix}${scheduleId}`,
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow',
      workflowType,
      taskQueue: options.taskQueue,
      // The schedule appends the scheduled time to this id: one run per tick, easy to find.
      workflowId: `${prefix}${scheduleId}`,
      args: [{}],
    },
    // A run still going when the next tick comes makes that tick a no-op.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: Math.max(everyMs, 60_000) },
    state: { note },
  });
  return [
    define(scheduleIds.expireRewards, workflowTypes.expireRewards, options.intervals.expireRewardsMs, 'expires pending rewards past their expiry'),
    define(
      scheduleIds.backfillRedemptions,
      workflowTypes.backfillRedemptions,
      options.intervals.backfillRedemptionsMs,
      'starts redemption workflows of applied rewards that have none',
    ),
    define(scheduleIds.verifyLedger, workflowTypes.verifyLedger, options.intervals.verifyLedgerMs, "verifies the ledger's invariants; the result shows in ops and /metrics"),
    define(
      scheduleIds.purgeTouches,
      workflowTypes.purgeTouches,
      options.intervals.purgeTouchesMs,
      'deletes touches older than TOUCH_RETENTION_DAYS that never attributed anything',
    ),
  ];
}

/**
 * Creates the worker's Temporal Schedules, or updates them to the configured intervals and task
 * queue when they exist: idempotent, so every worker replica may run it at boot.
 */
export async function ensureSchedules(client: Client, options: EnsureSchedulesOptions): Promise<EnsuredSchedule[]> {
  const ensured: EnsuredSchedule[] = [];
  for (const definition of scheduleDefinitions(options)) {
    try {
      await client.schedule.create(definition);
      ensured.push({ scheduleId: definition.scheduleId, action: 'created' });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(definition.scheduleId).update((previous) => ({
        ...previous,
        spec: definition.spec,
        action: definition.action,
        policies: { ...previous.policies, ...definition.policies },
      }));
      ensured.push({ scheduleId: definition.scheduleId, action: 'updated' });
    }
  }
  return ensured;
}
