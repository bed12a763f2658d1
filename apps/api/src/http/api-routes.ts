import { type OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { type Request, type Response, Router } from 'express';
import { type Sequelize } from 'sequelize';
import { z } from 'zod';
import { type ApiKeyring, type ApiRole, requireRole, roleOf } from '../auth/api-keys';
import { errorResponseSchema } from '../openapi/common.schemas';
import { ApiError } from './api-error';
import { rethrowAsApiError } from './domain-errors';
import { answerOnce } from './idempotency';
import { refuseUnsafeInput } from './safe-input';
import { parseRequest } from './validation';

type Method = 'get' | 'post' | 'put';
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: every problem with its path (body.amount.minor)',
  401: 'No API key, or an unknown one',
  403: 'The key belongs to another role',
  404: 'Not found',
  409: 'Conflict (stale version, Idempotency-Key reused with another body, event replayed with other content)',
  413: 'Body larger than the limit',
  415: 'A Content-Encoding (identity, gzip, deflate, br are understood) or charset (utf-8) the api cannot decode',
  422: 'Rule violation (an invalid program, an illegal transition)',
  503: 'A dependency is not configured or not reachable (database_unavailable comes with Retry-After)',
};

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  role: ApiRole;
  req: Request;
  res: Response;
}

export type HandlerAnswer<R> = JsonAnswer<R> | StreamedAnswer;

export interface JsonAnswer<R> {
  status?: number;
  body: R;
  /** The body was read back from the idempotency store (jsonb): it is put back in schema order. */
  stored?: boolean;
}

/** The handler wrote the answer itself (a stream the caller asked for); nothing is left to send. */
export interface StreamedAnswer {
  streamed: true;
}

export interface RouteSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined, R extends z.ZodType> {
  method: Method;
  /** OpenAPI form: `/v1/admin/programs/{key}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  roles: readonly ApiRole[];
  params?: P;
  query?: Q;
  body?: B;
  response: {
    status: number;
    description: string;
    schema: R;
    /** Another success status with the same body (a replay answering 200 where a first write answers 201). */
    replayStatus?: { status: number; description: string };
  };
  /** Error statuses this endpoint can answer besides 400/401/403 (documented in OpenAPI). */
  errors?: number[];
  /** Accepts an `Idempotency-Key` header: a retry with the same key and body gets the stored answer. */
  idempotencyKey?: boolean;
  /** Where the domain libs' issue paths live in the request (default `body`). */
  domainPathPrefix?: string;
  handler: (ctx: HandlerContext<Out<P>, Out<Q>, Out<B>>) => Promise<HandlerAnswer<z.input<R>>>;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;
/** run()'s answer when the handler streamed its own. */
const STREAMED = Symbol('streamed');

/**
 * Registers endpoints twice from ONE description: in the Express router (auth, validation,
 * idempotency, domain error mapping, the handler) and in the OpenAPI registry (the same zod
 * schemas become the document). A schema cannot drift from the validation it documents.
 */
export class ApiRoutes {
  readonly router = Router();

  constructor(
    private readonly registry: OpenAPIRegistry,
    private readonly deps: { keyring: ApiKeyring; sequelize: Sequelize },
  ) {}

  add<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined, R extends z.ZodType>(
    spec: RouteSpec<P, Q, B, R>,
  ): this {
    this.document(spec);
    const expressPath = spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
    this.router[spec.method](expressPath, requireRole(this.deps.keyring, spec.roles), async (req, res) => {
      // Every string and every level of nesting, before any schema, handler or write sees them.
      refuseUnsafeInput({ params: req.params, query: req.query, body: req.body });
      const parsed = parseRequest({
        ...(spec.params ? { params: { schema: spec.params, value: req.params } } : {}),
        ...(spec.query ? { query: { schema: spec.query, value: req.query } } : {}),
        ...(spec.body ? { body: { schema: spec.body, value: req.body } } : {}),
      }) as { params: Out<P>; query: Out<Q>; body: Out<B> };
      const run = async () => {
        try {
          const answer = await spec.handler({ ...parsed, role: roleOf(res), req, res });
          if ('streamed' in answer) return STREAMED;
          return { status: answer.status ?? spec.response.status, body: answer.stored ? this.inSchemaOrder(spec, answer.body) : (answer.body as unknown) };
        } catch (error) {
          rethrowAsApiError(error, { prefix: spec.domainPathPrefix ?? 'body' });
        }
      };
      const key = spec.idempotencyKey ? req.headers['idempotency-key'] : undefined;
      if (typeof key === 'string') {
        if (!IDEMPOTENCY_KEY.test(key)) {
          throw new ApiError(400, 'request_invalid', 'Idempotency-Key must be 1-200 characters of A-Z a-z 0-9 . _ : -', [
            { path: 'headers.idempotency-key', message: 'must be 1-200 characters of A-Z a-z 0-9 . _ : -' },
          ]);
        }
        const answer = await answerOnce(
          this.deps.sequelize,
          {
            // Keys are per role and endpoint: two callers (or two endpoints) never share one.
            scope: `idempotency-key:${roleOf(res)}:${spec.method.toUpperCase()} ${spec.path}`,
            key,
            request: { params: req.params, body: req.body ?? null },
            conflictCode: 'idempotency_key_reused',
            conflictMessage: 'this Idempotency-Key was used with another request body; use a new key for a new request',
          },
          async () => {
            const answer = await run();
            if (answer === STREAMED) throw new Error(`${spec.operationId} streamed an answer that an Idempotency-Key would have to store`);
            return answer;
          },
        );
        if (answer.replayed) res.setHeader('idempotent-replayed', 'true');
        res.status(answer.status).json(this.inSchemaOrder(spec, answer.body));
        return;
      }
      const answer = await run();
      if (answer === STREAMED) return;
      res.status(answer.status).json(answer.body);
    });
    return this;
  }

  /**
   * jsonb keeps keys in its own order; parsing a stored answer with the response schema gives
   * them back in the documented order, the same bytes for every replay.
   */
  private inSchemaOrder(spec: { response: { schema: z.ZodType } }, body: unknown): unknown {
    const parsed = spec.response.schema.safeParse(body);
    return parsed.success ? parsed.data : body;
  }

  private document(spec: RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined, z.ZodType>): void {
    // 503 on every operation: any of them answers database_unavailable while PostgreSQL is away.
    const errors = [400, 401, 403, 503, ...(spec.body ? [413, 415] : []), ...(spec.idempotencyKey ? [409] : []), ...(spec.errors ?? [])];
    const success = (description: string) => ({ description, content: { 'application/json': { schema: spec.response.schema } } });
    const responses: RouteConfig['responses'] = { [spec.response.status]: success(spec.response.description) };
    if (spec.response.replayStatus) responses[spec.response.replayStatus.status] = success(spec.response.replayStatus.description);
    for (const status of [...new Set(errors)].sort()) {
      responses[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: errorResponseSchema } } };
    }
    const request: RouteConfig['request'] = {};
    // Path and query schemas are zod objects (the registry's parameter types).
    if (spec.params) request.params = spec.params as never;
    if (spec.query) request.query = spec.query as never;
    if (spec.body) request.body = { required: true, content: { 'application/json': { schema: spec.body } } };
    if (spec.idempotencyKey) {
      request.headers = z.object({
        'Idempotency-Key': z
          .string()
          .regex(IDEMPOTENCY_KEY)
          .optional()
          .meta({ description: 'Retry-safe key: the same key and body return the stored answer; another body is a 409' }),
      });
    }
    this.registry.registerPath({
      method: spec.method,
      path: spec.path,
      operationId: spec.operationId,
      summary: spec.summary,
      description: `${spec.description ? `${spec.description}\n\n` : ''}Roles: ${spec.roles.join(', ')}.`,
      tags: spec.tags,
      security: [{ bearerKey: [] }, { apiKeyHeader: [] }],
      'x-roles': spec.roles,
      request,
      responses,
    });
  }
}
