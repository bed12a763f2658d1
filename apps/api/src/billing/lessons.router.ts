import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { lessonCompletedRequestSchema } from './lessons.schemas';
import { answerQualifyingEvent } from './qualifying-event';
import { qualifyingEventResponseSchema } from './qualifying-event.schemas';

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
    errors: [409, 422],
    response: { status: 200, description: 'What the lesson decided', schema: qualifyingEventResponseSchema },
    async handler({ body, res }) {
      const answer = await answerQualifyingEvent(services, { type: 'lesson.completed', ...body });
      if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
      return { body: answer.body, stored: true };
    },
  });
}
