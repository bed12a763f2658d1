/*
 * The conformance suite runner. Cases are data (`spec/*.json`): a program (a named base plus a
 * patch), a fact set, a pinned evaluation instant, and the expected decision, explanation
 * fragments or validation problems. Every evaluation runs with and without explanation, and both
 * must reach the same decision.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  compileProgram,
  type ConditionTrace,
  type Datatype,
  defineFactCatalog,
  type EligibilityEvaluation,
  exampleCatalogs,
  examplePrograms,
  type FactCatalog,
  type FactDeclarations,
  lookupFact,
  OPERATORS_BY_DATATYPE,
  type ProgramDocument,
  type RewardEvaluation,
  validateProgram,
} from '../src';

const SPEC_DIR = __dirname;

function readJson(relative: string): unknown {
  return JSON.parse(readFileSync(join(SPEC_DIR, relative), 'utf8')) as unknown;
}

const conformanceCatalog = defineFactCatalog(readJson('catalogs/conformance.catalog.json') as { product: string; events: string[]; facts: FactDeclarations });

const BASE_PROGRAMS: Record<string, unknown> = {
  conformance: readJson('programs/conformance.program.json'),
  kiloPass: examplePrograms.kiloPass,
  challengeRewards: examplePrograms.challengeRewards,
};

// The example programs' catalogs by their product, and the conformance catalog.
const CATALOGS: Record<string, FactCatalog> = { ...Object.fromEntries(Object.values(exampleCatalogs).map((c) => [c.product, c])), conformance: conformanceCatalog };

const fragment = z.record(z.string(), z.unknown());

const expectSchema = z.strictObject({
  valid: z.literal(true).optional(),
  problems: z.array(z.strictObject({ code: z.string(), path: z.string() })).optional(),
  code: z.string().optional(),
  rule: z.number().int().nullable().optional(),
  grants: z.array(z.unknown()).optional(),
  traces: z.array(fragment.and(z.object({ path: z.string() }))).optional(),
  window: fragment.optional(),
  reward: fragment.optional(),
});

const caseSchema = z.strictObject({
  name: z.string().min(1),
  note: z.string().optional(),
  program: z.string().optional(),
  catalog: z.string().optional(),
  /** Dotted keys set nested fields (`schedule.frozenAt`); null deletes a field. */
  patch: z.record(z.string(), z.unknown()).optional(),
  /** Shorthand: the eligibility conditions are exactly this one condition. */
  condition: z.unknown().optional(),
  evaluate: z.enum(['eligibility', 'reward', 'validate']).optional(),
  at: z.string().optional(),
  event: z.string().optional(),
  facts: z.record(z.string(), z.unknown()).optional(),
  expect: expectSchema,
});

const suiteSchema = z.strictObject({
  description: z.string().min(1),
  defaults: caseSchema.partial().omit({ expect: true, name: true }).optional(),
  cases: z.array(caseSchema).min(1),
});

type Case = z.infer<typeof caseSchema>;

const suites = readdirSync(SPEC_DIR)
  .filter((file) => file.endsWith('.json') && file !== 'tsconfig.json')
  .sort()
  .map((file) => ({ file, suite: suiteSchema.parse(readJson(file)) }));

function applyPatch(document: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [dotted, value] of Object.entries(patch)) {
    const keys = dotted.split('.');
    const last = keys.pop() as string;
    let node = document;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === null) delete node[last];
    else node[last] = structuredClone(value);
  }
}

function buildProgram(c: Case): { document: Record<string, unknown>; catalog: FactCatalog } {
  const base = BASE_PROGRAMS[c.program ?? 'conformance'];
  if (!base) throw new Error(`unknown base program ${String(c.program)}`);
  const document = structuredClone(base) as Record<string, unknown>;
  const catalog = CATALOGS[c.catalog ?? String(document['product'])];
  if (!catalog) throw new Error(`no catalog for ${String(c.catalog ?? document['product'])}`);
  if (c.condition !== undefined) document['eligibility'] = [c.condition];
  if (c.patch) applyPatch(document, c.patch);
  return { document, catalog };
}

/** Every condition trace, through predicate branches, predicates included. */
function allTraces(traces: readonly ConditionTrace[]): ConditionTrace[] {
  const out: ConditionTrace[] = [];
  for (const trace of traces) {
    out.push(trace);
    if (trace.kind === 'predicate') for (const branch of trace.branches) out.push(...allTraces(branch.conditions));
  }
  return out;
}

function expectTraces(found: readonly ConditionTrace[], expected: readonly Record<string, unknown>[]): void {
  for (const want of expected) {
    const atPath = found.filter((trace) => trace.path === want['path']);
    // With no trace at that path, show them all: the failure then says what was there instead.
    expect(atPath.length > 0 ? atPath : found).toContainEqual(expect.objectContaining(want));
  }
}

const coveredOperators = new Set<string>();

function recordCoverage(document: ProgramDocument, catalog: FactCatalog): void {
  const visit = (conditions: readonly unknown[]): void => {
    for (const condition of conditions) {
      const { subject, operator } = condition as { subject?: string; operator?: string };
      if (subject === undefined || operator === undefined) continue;
      const fact = lookupFact(catalog, subject);
      if (fact) coveredOperators.add(`${fact.datatype} ${operator}`);
    }
  };
  visit(document.eligibility);
  for (const rule of document.rewardRules) visit(rule.conditions);
  for (const term of document.terms) if (term.kind === 'predicate') for (const branch of term.branches) visit(branch);
}

function runCase(c: Case): void {
  const { document, catalog } = buildProgram(c);
  const evaluate = c.evaluate ?? 'validate';

  if (evaluate === 'validate') {
    const result = validateProgram(document, catalog);
    if (c.expect.valid) expect(result.problems).toEqual([]);
    if (c.expect.problems) {
      const key = (p: { code: string; path: string }): string => `${p.path} ${p.code}`;
      expect(result.problems.map((p) => ({ code: p.code, path: p.path })).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [...c.expect.problems].sort((a, b) => key(a).localeCompare(key(b))),
      );
      for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(0);
    }
    return;
  }

  const compiled = compileProgram(document, catalog);
  if (!compiled.ok) throw new Error(`case program does not validate: ${JSON.stringify(compiled.problems)}`);
  const program = compiled.program;
  recordCoverage(program.document, catalog);
  const at = c.at ?? '';
  const facts = c.facts ?? {};

  let explained: EligibilityEvaluation | RewardEvaluation;
  let fast: EligibilityEvaluation | RewardEvaluation;
  if (evaluate === 'eligibility') {
    explained = program.evaluateEligibility(facts, { at });
    fast = program.evaluateEligibility(facts, { at, explain: false });
    expect(explained.eligible).toBe(explained.code === 'eligible');
  } else {
    const event = c.event ?? program.trigger;
    const reward = program.evaluateReward(event, facts, { at });
    const quick = program.evaluateReward(event, facts, { at, explain: false });
    expect(quick.grants).toEqual(reward.grants);
    expect(quick.rule).toEqual(reward.rule);
    if (c.expect.rule !== undefined) expect(reward.rule?.index ?? null).toBe(c.expect.rule);
    if (c.expect.grants) expect(reward.grants).toEqual(c.expect.grants);
    if (c.expect.reward) expect(reward.explanation?.reward).toMatchObject(c.expect.reward);
    expect(reward.rewarded).toBe(reward.code === 'rewarded');
    explained = reward;
    fast = quick;
  }

  // The fast path and the explaining path reach the same decision.
  expect(fast.code).toBe(explained.code);
  expect(fast.explanation).toBeUndefined();
  if (c.expect.code) expect(explained.code).toBe(c.expect.code);
  if (explained.code !== 'evaluation_time_invalid') expect(explained.explanation).toBeDefined();
  // Explanations are plain data.
  expect(JSON.parse(JSON.stringify(explained))).toEqual(explained);

  const explanation = explained.explanation;
  if (c.expect.window) expect(explanation?.window).toMatchObject(c.expect.window);
  if (c.expect.traces) {
    const found =
      explanation && 'conditions' in explanation
        ? allTraces(explanation.conditions)
        : allTraces((explanation?.rules ?? []).flatMap((rule) => rule.conditions));
    expectTraces(found, c.expect.traces);
  }
}

describe('conformance suite', () => {
  for (const { file, suite } of suites) {
    describe(`${file}: ${suite.description}`, () => {
      for (const raw of suite.cases) {
        const c: Case = { ...suite.defaults, ...raw };
        it(c.name, () => runCase(c));
      }
    });
  }

  describe('coverage of the suite itself', () => {
    it('has at least 80 cases', () => {
      const total = suites.reduce((sum, { suite }) => sum + suite.cases.length, 0);
      expect(total).toBeGreaterThanOrEqual(80);
    });

    it('has unique case names within each file', () => {
      for (const { suite } of suites) {
        const names = suite.cases.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
      }
    });

    // Runs after the cases above (Jest runs tests in declaration order within a file).
    it('evaluates every operator on every datatype it accepts', () => {
      const missing: string[] = [];
      for (const [datatype, operators] of Object.entries(OPERATORS_BY_DATATYPE) as [Datatype, readonly string[]][]) {
        for (const operator of operators) if (!coveredOperators.has(`${datatype} ${operator}`)) missing.push(`${datatype} ${operator}`);
      }
      expect(missing).toEqual([]);
    });
  });
});
