import { compileProgram, type CompiledProgram, formatEvaluation } from '@referrals/rule-dsl';
import { ApiError } from '../http/api-error';
import { type ApiRoutes } from '../http/api-routes';
import { type ApiServices } from '../services';
import { simulateRequestSchema, simulateResponseSchema } from './simulate.schemas';

/**
 * Simulate: a program version (or a draft) and a fact set -> the decision and why. Pure
 * evaluation: nothing is read but the program, nothing is written.
 */
export function simulateRoutes(routes: ApiRoutes, services: ApiServices): void {
  routes.add({
    method: 'post',
    path: '/v1/admin/simulate',
    operationId: 'simulate',
    summary: 'Evaluate a program version (or a draft) on a fact set: decision and explanation, nothing written',
    tags: ['admin: programs'],
    roles: ['admin'],
    body: simulateRequestSchema,
    errors: [404, 422],
    response: { status: 200, description: 'The decision and its explanation', schema: simulateResponseSchema },
    async handler({ body }) {
      let compiled: CompiledProgram;
      let version: number | null = null;
      if (body.programKey !== undefined) {
        const stored = body.version === undefined ? await services.programs.get(body.programKey) : await services.programs.getVersion(body.programKey, body.version);
        compiled = services.programs.compile(stored).compiled;
        version = stored.version;
      } else {
        compiled = compileDraft(services, body.document);
      }
      const program = { key: compiled.key, version, product: compiled.document.product };
      if (body.phase === 'eligibility') {
        const evaluation = compiled.evaluateEligibility(body.facts, { at: body.at });
        return {
          body: { program, phase: body.phase, code: evaluation.code, decided: evaluation.eligible, rule: null, grants: [], explanation: evaluation.explanation ?? null, lines: formatEvaluation(evaluation) },
        };
      }
      const evaluation = compiled.evaluateReward(body.event ?? compiled.trigger, body.facts, { at: body.at });
      return {
        body: {
          program,
          phase: body.phase,
          code: evaluation.code,
          decided: evaluation.rewarded,
          rule: evaluation.rule ? { index: evaluation.rule.index, description: evaluation.rule.description } : null,
          grants: evaluation.grants.map((g) => ({ beneficiary: g.beneficiary, initialStatus: g.initialStatus, reward: { ...g.reward } })),
          explanation: evaluation.explanation ?? null,
          lines: formatEvaluation(evaluation),
        },
      };
    },
  });
}

function compileDraft(services: ApiServices, document: unknown): CompiledProgram {
  const check = services.programs.check(document);
  if (!check.ok) {
    throw new ApiError(
      check.code === 'product_unknown' ? 400 : 422,
      check.code,
      `the draft is invalid: ${check.problems.length} problem(s)`,
      check.problems.map((p) => ({ path: p.path ? `body.document.${p.path}` : 'body.document', message: `${p.code}: ${p.message}` })),
    );
  }
  const catalog = services.products.catalogs.get(check.program.product);
  const result = catalog ? compileProgram(check.program, catalog) : undefined;
  if (!result?.ok) throw new ApiError(422, 'program_invalid', 'the draft does not compile against its product\'s catalog');
  return result.program;
}
