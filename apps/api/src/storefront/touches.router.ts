import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { captureTouchRequestSchema, captureTouchResponseSchema } from './touches.schemas';

/**
 * Touch capture: the hottest endpoint (every landing through a referral or affiliate link). One
 * insert; capturing never grants anything. The answer never echoes the tracking values.
 */
export function touchRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/touches',
    operationId: 'captureTouch',
    summary: 'Capture a referral or affiliate touch',
    description: 'Stores the touch at server UTC time. The same touch within the same minute is stored once (`replayed`).',
    tags: ['storefront'],
    roles: ['storefront'],
    body: captureTouchRequestSchema,
    idempotencyKey: true,
    response: {
      status: 201,
      description: 'Captured',
      schema: captureTouchResponseSchema,
      replayStatus: { status: 200, description: 'The same touch was already captured this minute (`replayed: true`)' },
    },
    async handler({ body }) {
      const { touch, replayed } = await services.attribution.captureTouch(body);
      if (!replayed) services.metrics.touches.inc({ kind: touch.kind, status: touch.status });
      return {
        status: replayed ? 200 : 201,
        body: {
          touch: {
            id: touch.id,
            kind: touch.kind,
            product: touch.product,
            programKey: touch.programKey,
            status: touch.status,
            accepted: touch.accepted,
            truncated: { ...touch.truncated },
            touchedAt: touch.touchedAt.toISOString(),
          },
          replayed,
        },
      };
    },
  });
}
