import { getScheduleRun, type ScheduleRun } from '@referrals/outbox';
import { queueScheduleRun } from '@referrals/rewarding';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { iso } from '../openapi/common.schemas';
import { type ApiServices } from '../services';
import { runScheduleRequestSchema, scheduleNameParamsSchema, scheduleRunParamsSchema, scheduleRunResponseSchema } from './schedules.schemas';

const runView = (run: ScheduleRun) => ({ ...run, requestedAt: run.requestedAt.toISOString(), finishedAt: iso(run.finishedAt) });

/**
 * Scheduled jobs, run now by an operator: the run is recorded and its workflow start queued
 * through the outbox (202: the api never waits for Temporal); the workflow records what it changed
 * in the run, which GET reads.
 */
export function scheduleRoutes(routes: ApiRoutes, services: ApiServices): void {
  const tags = ['admin: schedules'];

  routes.add({
    method: 'post',
    path: '/v1/admin/schedules/{name}/run',
    operationId: 'runScheduleNow',
    summary: 'Run a scheduled job now (its workflow, started through the outbox)',
    tags,
    roles: ['admin'],
    params: scheduleNameParamsSchema,
    body: runScheduleRequestSchema,
    response: { status: 202, description: 'Queued: read the run for its result', schema: scheduleRunResponseSchema },
    async handler({ params, body }) {
      const run = await queueScheduleRun(services.rewarding, { schedule: params.name, requestedBy: body.requestedBy });
      return { status: 202, body: { run: runView(run) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/schedule-runs/{runId}',
    operationId: 'getScheduleRun',
    summary: 'A run of a scheduled job an operator asked for, and what it changed',
    tags,
    roles: ['admin'],
    params: scheduleRunParamsSchema,
    errors: [404],
    response: { status: 200, description: 'The run', schema: scheduleRunResponseSchema },
    async handler({ params }) {
      const run = await getScheduleRun(services.sequelize, params.runId);
      if (!run) throw new ApiError(404, 'schedule_run_not_found', `no schedule run ${params.runId}`, [{ path: 'params.runId', message: 'no such run' }]);
      return { body: { run: runView(run) } };
    },
  });
}
