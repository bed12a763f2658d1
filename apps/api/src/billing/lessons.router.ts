import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { lessonCompletedRequestSchema } from './lessons.schemas';
import { decideQualifyingEvent } from './qualifying-event';
import { qualifyingEventResponseSchema } from './qualifying-event.schemas';

/** The provider name under which lesson events are recorded as conversions (they are not payments). */
export const LESSON_EVENTS_PROVIDER = 'lesson-events';

/** `lesson.completed`: each completed lesson of a referred student is evaluated (first matching rule wins). */
export function lessonRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/events/lesson-completed',
    operationId: 'lessonCompleted',
    summary: 'lesson.completed: attribution, reward rules of the pinned program, ledger grant',
    description: 'Idempotent per eventId: a replay answers the original outcome; the same eventId with other content is a 409.',
    tags: ['billing'],
    roles: ['billing'],
    body: lessonCompletedRequestSchema,
    idempotencyKey: true,
    errors: [409, 503],
    response: { status: 200, description: 'What the lesson decided', schema: qualifyingEventResponseSchema },
    async handler({ body, res }) {
      const facts = structuredClone(body.facts ?? {}) as Record<string, unknown>;
      Object.assign(facts, {
        lesson: {
          id: body.lesson.id,
          usd_amount: body.lesson.usdAmount,
          duration_minutes: body.lesson.durationMinutes,
          sequence: body.lesson.sequence,
          is_trial: body.lesson.isTrial,
          ...(body.lesson.subject ? { subject: body.lesson.subject } : {}),
          completed_at: body.completedAt,
        },
        event: { sequence: body.eventSequence ?? body.lesson.sequence },
      });
      const answer = await decideQualifyingEvent(services, {
        type: 'lesson.completed',
        provider: LESSON_EVENTS_PROVIDER,
        sourceId: body.eventId,
        product: body.product,
        userId: body.userId,
        occurredAt: new Date(body.completedAt),
        // A completed lesson is not an Impact SALE: no report, no sale attribution of affiliate touches.
        sale: false,
        facts,
        request: body,
      });
      if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
      return { status: answer.status, body: answer.body as never, stored: true };
    },
  });
}
