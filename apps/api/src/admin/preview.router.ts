import { previewProgramChange } from '@referrals/rewarding';
import { type ApiRoutes } from '../http/api-routes';
import { acceptsNdjson, NdjsonStream } from '../http/ndjson-stream';
import { type ApiServices } from '../services';
import { programKeyParamsSchema } from './programs.schemas';
import { previewRequestSchema, previewResponseSchema } from './preview.schemas';

/** Program-change preview (issue 18): a draft re-decides the program's recorded events; nothing is written. */
export function previewRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/admin/programs/{key}/preview',
    operationId: 'previewProgram',
    summary: 'What a draft (or a stored version) would have decided for the program\'s recorded qualifying events in a time range; nothing is written',
    description:
      'Every decision record of the program in [from, to) is decided again with the draft, in time order, with the draft\'s referrer cap and ' +
      'first-qualifying-event limit applied as the ledger would (slots and rewarded referrals before `from` count). Answers the counts now vs ' +
      'the draft, granted money per currency, events per rule, cap-limited events, and the first changed events with both explanations. ' +
      'Read-only: one read-only snapshot; the ledger and every other table are untouched. ' +
      'With `Accept: application/x-ndjson` the answer is streamed as lines of JSON: `{"type":"progress","events":n,"total":t}` when the range is ' +
      'counted and after each batch of events, then `{"type":"result","preview":{…}}` (this document\'s 200 body), or `{"type":"error","error":{…}}` ' +
      'if the work stops after the first line. Anything refused before the first line answers the usual JSON error.',
    tags: ['admin: programs'],
    roles: ['admin'],
    params: programKeyParamsSchema,
    body: previewRequestSchema,
    domainPathPrefix: 'body.document',
    errors: [404, 422],
    response: { status: 200, description: 'The comparison', schema: previewResponseSchema },
    async handler({ params, body, req, res }) {
      const request = {
        programKey: params.key,
        ...(body.version === undefined ? { document: body.document } : { version: body.version }),
        from: new Date(body.from),
        to: new Date(body.to),
        ...(body.sampleSize === undefined ? {} : { sampleSize: body.sampleSize }),
      };
      if (!acceptsNdjson(req)) return { body: await previewProgramChange(services, request) };
      const stream = new NdjsonStream(req, res);
      try {
        const preview = await previewProgramChange(services, { ...request, onProgress: (progress) => stream.line({ type: 'progress', ...progress }) });
        stream.line({ type: 'result', preview });
        stream.end();
      } catch (error) {
        if (!stream.started) throw error; // nothing sent yet: the usual JSON error
        stream.fail(error);
      }
      return { streamed: true };
    },
  });
}
