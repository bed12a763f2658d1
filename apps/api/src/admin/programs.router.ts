import { formatProgramDiff, type ProgramVersion } from '@referrals/programs';
import { retireProgram } from '@referrals/rewarding';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { rethrowAsApiError } from '../http/domain-errors';
import { type ApiServices } from '../services';
import {
  checkProgramRequestSchema,
  checkProgramResponseSchema,
  createProgramRequestSchema,
  diffQuerySchema,
  diffResponseSchema,
  historyResponseSchema,
  listProgramsQuerySchema,
  listProgramsResponseSchema,
  programKeyParamsSchema,
  programVersionParamsSchema,
  programVersionSchema,
  retireProgramRequestSchema,
  retireProgramResponseSchema,
  saveProgramResponseSchema,
  updateProgramRequestSchema,
} from './programs.schemas';

const versionView = (v: ProgramVersion) => ({
  key: v.key,
  version: v.version,
  product: v.product,
  status: v.status,
  priority: v.priority,
  name: v.name,
  author: v.author,
  changeNote: v.changeNote,
  createdAt: v.createdAt.toISOString(),
  document: v.document,
});

/**
 * Programs: every save is a new immutable version (History); an update names the version it
 * edited (`expectedVersion`), and a stale one is a 409, never a silent overwrite.
 */
export function programRoutes(routes: ApiRoutes, services: ApiServices): void {
  const { programs } = services;
  const tags = ['admin: programs'];

  routes.add({
    method: 'get',
    path: '/v1/admin/programs',
    operationId: 'listPrograms',
    summary: 'Programs (current versions), in selection order',
    tags,
    roles: ['admin'],
    query: listProgramsQuerySchema,
    domainPathPrefix: 'query',
    response: { status: 200, description: 'Current versions', schema: listProgramsResponseSchema },
    async handler({ query }) {
      return { body: { programs: (await programs.list(query)).map(versionView) } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/programs',
    operationId: 'createProgram',
    summary: 'Create a program (version 1)',
    tags,
    roles: ['admin'],
    body: createProgramRequestSchema,
    idempotencyKey: true,
    errors: [409, 422],
    response: {
      status: 201,
      description: 'Created',
      schema: saveProgramResponseSchema,
      replayStatus: { status: 200, description: 'The same document was already saved as the current version (`replayed: true`)' },
    },
    async handler({ body }) {
      const saved = await programs.save({ ...body, expectedVersion: 0 }).catch(prefixDocumentPaths);
      const { replayed, ...version } = saved;
      return { status: replayed ? 200 : 201, body: { program: versionView(version), replayed } };
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/admin/programs/{key}',
    operationId: 'updateProgram',
    summary: 'Update a program: a new version, if expectedVersion is still current',
    tags,
    roles: ['admin'],
    params: programKeyParamsSchema,
    body: updateProgramRequestSchema,
    idempotencyKey: true,
    errors: [404, 409, 422],
    response: { status: 200, description: 'The new current version', schema: saveProgramResponseSchema },
    async handler({ params, body }) {
      if (body.document.key !== params.key) {
        throw new ApiError(400, 'request_invalid', `the document's key must be the program's key (${params.key})`, [
          { path: 'body.document.key', message: `must be ${params.key}` },
        ]);
      }
      // Updating is not creating: a key without a program is a 404, not a silent version 1.
      await programs.get(params.key);
      const saved = await programs.save(body).catch(prefixDocumentPaths);
      const { replayed, ...version } = saved;
      return { body: { program: versionView(version), replayed } };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/programs/{key}/retire',
    operationId: 'retireProgram',
    summary: 'Retire a program: nothing new for it, its open rewards canceled, its records kept (idempotent)',
    description:
      'One transaction: a `retired` version becomes current and every pending or earned reward of the program is canceled with the reason in its audit trail; applied rewards stand. ' +
      'From then on the program takes no touch, referral code, referral, conversion credit, reward or widget token (409 `program_retired`), its referral touches no longer suppress affiliate SALEs, ' +
      'and its queued Impact redemptions end. Retiring it again writes nothing (`replayed`).',
    tags,
    roles: ['admin'],
    params: programKeyParamsSchema,
    body: retireProgramRequestSchema,
    errors: [404],
    response: { status: 200, description: 'The retirement', schema: retireProgramResponseSchema },
    async handler({ params, body }) {
      const retired = await retireProgram(services.rewarding, { key: params.key, author: body.author, reason: body.reason });
      return {
        body: {
          program: versionView(retired.program),
          canceledRewards: retired.canceledRewards.map((r) => ({ id: r.id, role: r.role, beneficiaryId: r.beneficiaryId, status: r.status, kind: r.kind, amountMinor: r.amountMinor, unit: r.unit })),
          replayed: retired.replayed,
        },
      };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/admin/programs/check',
    operationId: 'checkProgram',
    summary: 'Check a program document: every problem with its path (a priority held by another active program included); nothing stored',
    tags,
    roles: ['admin'],
    body: checkProgramRequestSchema,
    response: { status: 200, description: 'ok, or every problem', schema: checkProgramResponseSchema },
    async handler({ body }) {
      const check = await programs.checkForSave(body.document);
      return { body: check.ok ? { ok: true, code: null, problems: [] } : { ok: false, code: check.code, problems: check.problems.map((p) => ({ ...p })) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/programs/{key}',
    operationId: 'getProgram',
    summary: 'A program\'s current version',
    tags,
    roles: ['admin'],
    params: programKeyParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'The current version', schema: programVersionSchema },
    async handler({ params }) {
      return { body: versionView(await programs.get(params.key)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/programs/{key}/versions',
    operationId: 'listProgramVersions',
    summary: 'History: every version, newest first',
    tags,
    roles: ['admin'],
    params: programKeyParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'Versions without their documents', schema: historyResponseSchema },
    async handler({ params }) {
      const versions = await programs.listVersions(params.key);
      return { body: { versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })) } };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/programs/{key}/versions/{version}',
    operationId: 'getProgramVersion',
    summary: 'One version of a program, with its document',
    tags,
    roles: ['admin'],
    params: programVersionParamsSchema,
    domainPathPrefix: 'params',
    errors: [404],
    response: { status: 200, description: 'The version', schema: programVersionSchema },
    async handler({ params }) {
      return { body: versionView(await programs.getVersion(params.key, params.version)) };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/admin/programs/{key}/diff',
    operationId: 'diffProgramVersions',
    summary: 'What changed between two versions',
    tags,
    roles: ['admin'],
    params: programKeyParamsSchema,
    query: diffQuerySchema,
    domainPathPrefix: 'query',
    errors: [404],
    response: { status: 200, description: 'Changes, in document order, and as readable lines', schema: diffResponseSchema },
    async handler({ params, query }) {
      const diff = await programs.diff(params.key, query.from, query.to);
      return { body: { ...diff, changes: diff.changes.map((c) => ({ ...c })), lines: formatProgramDiff(diff) } };
    },
  });
}

/** Save problems are located in the document; in the request they are under `body.document`. */
function prefixDocumentPaths(error: unknown): never {
  const code = (error as { code?: unknown }).code;
  rethrowAsApiError(error, { prefix: code === 'program_invalid' || code === 'product_unknown' ? 'body.document' : 'body' });
}
