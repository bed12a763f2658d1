/**
 * `npm run bench:rules`: evaluations per second of the two example programs, on one fixed, varied,
 * deterministic workload, for
 *   1. the compiled rule-dsl evaluator (composed closures), deciding only and building the full
 *      explanation,
 *   2. json-rules-engine with equivalent rules,
 *   3. a hand-written TypeScript function of the same logic,
 * then the ratios against the goals (>= 25x json-rules-engine, >= 0.5x hand-written; with the
 * explanation, what preview and Simulate use: >= 50x json-rules-engine).
 *
 * Before timing anything it checks that the contestants agree on every decision, so the figures
 * compare the same work. Rates are per second of this process's CPU time, so other processes on a
 * shared machine distort them less than wall time would. Timings are printed, never asserted.
 *
 * BENCH_RULES_MS: measuring time per contestant, split over interleaved rounds (default 3000 ms).
 * BENCH_RULES_BUILT=1: measure the built package (libs/rule-dsl/dist, what services import) rather
 * than the TypeScript sources as tsx transpiles them; build it first (nx run rule-dsl:build).
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadProductRegistry } from '@referrals/products';
import type * as RuleDsl from '@referrals/rule-dsl';
import * as ruleDslSources from '@referrals/rule-dsl';
import { type CompiledProgram, type EligibilityEvaluation, type FactCatalog, type RewardEvaluation } from '@referrals/rule-dsl';
import { type BenchCase, buildFactSets } from './rules/fact-sets';
import { evaluateByHand, type HandDecision } from './rules/hand-written';
import { jreDecision, jreEngineFor, jreFacts } from './rules/json-rules-engine';

const MEASURE_MS = Number(process.env['BENCH_RULES_MS'] ?? 3000);
const WARMUP_MS = Math.min(1000, MEASURE_MS / 3);
const ROUNDS = 5;
const CASES_PER_KIND = 2500;
const BUILT = process.env['BENCH_RULES_BUILT'] === '1';

// The built CommonJS package is chosen at run time, hence require.
const lib: typeof RuleDsl = BUILT ? (require(resolve(__dirname, '../../../libs/rule-dsl/dist')) as typeof RuleDsl) : ruleDslSources;
const { catalogForProduct, catalogKinds, compileProgramOrThrow, examplePrograms } = lib;

// Each example's product as the products file declares it (catalog kind and host facts), built with
// the rule-dsl under test (sources or the built package). Fact sets are loose records, so untyped.
const products = loadProductRegistry();
const catalogOf = (product: string): FactCatalog => {
  const config = products.get(product);
  if (!config) throw new Error(`the products file declares no "${product}" (needed by the example program)`);
  return catalogForProduct(catalogKinds[config.catalog.kind] as FactCatalog, config.key, config.catalog.facts);
};
const catalogs: Record<BenchCase['program'], FactCatalog> = {
  kiloPass: catalogOf(examplePrograms.kiloPass.product),
  challengeRewards: catalogOf(examplePrograms.challengeRewards.product),
};
type Programs = Record<BenchCase['program'], CompiledProgram>;
const closurePrograms: Programs = {
  kiloPass: compileProgramOrThrow(examplePrograms.kiloPass, catalogs.kiloPass),
  challengeRewards: compileProgramOrThrow(examplePrograms.challengeRewards, catalogs.challengeRewards),
};

function evaluateCompiled(c: BenchCase, explain: boolean, programs: Programs = closurePrograms): EligibilityEvaluation | RewardEvaluation {
  const program = programs[c.program];
  return c.phase === 'eligibility'
    ? program.evaluateEligibility(c.facts, { at: c.at, explain })
    : program.evaluateReward(c.event, c.facts, { at: c.at, explain });
}

function commonForm(result: EligibilityEvaluation | RewardEvaluation): string {
  if ('eligible' in result) return result.eligible ? 'eligible' : 'not_eligible';
  const grant = result.grants[0];
  if (!result.rewarded || !grant || grant.reward.type !== 'money') return 'no_reward';
  return `rewarded:${result.rule?.index ?? -1}:${grant.reward.amount.amountMinor}`;
}

function handForm(c: BenchCase, decision: HandDecision): string {
  if (c.phase === 'eligibility') return decision.code === 'eligible' ? 'eligible' : 'not_eligible';
  return decision.code === 'rewarded' ? `rewarded:${decision.ruleIndex}:${decision.amountMinor}` : 'no_reward';
}

async function crossCheck(cases: readonly BenchCase[], jreInputs: readonly Record<string, unknown>[]): Promise<boolean> {
  let handMismatches = 0;
  let jreMismatches = 0;
  let jreMalformedDisagreements = 0;
  let malformed = 0;
  const tally = new Map<string, number>();
  for (const [i, c] of cases.entries()) {
    const ours = evaluateCompiled(c, true);
    const fast = evaluateCompiled(c, false);
    const hand = evaluateByHand(c);
    tally.set(ours.code, (tally.get(ours.code) ?? 0) + 1);
    if (fast.code !== ours.code || commonForm(fast) !== commonForm(ours) || hand.code !== ours.code || handForm(c, hand) !== commonForm(ours)) {
      handMismatches += 1;
      if (handMismatches <= 3) console.error('hand-written disagrees:', c.program, c.phase, ours.code, hand, JSON.stringify(c.facts));
    }
    const { events } = await jreEngineFor(c).run(jreInputs[i]);
    const agrees = jreDecision(c, events) === commonForm(ours);
    if (!c.wellFormed) malformed += 1;
    if (!agrees && c.wellFormed) {
      jreMismatches += 1;
      if (jreMismatches <= 3) console.error('json-rules-engine disagrees:', c.program, c.phase, ours.code, jreDecision(c, events), JSON.stringify(c.facts));
    }
    if (!agrees && !c.wellFormed) jreMalformedDisagreements += 1;
  }
  const codes = [...tally.entries()].sort().map(([code, n]) => `${code} ${n}`).join(', ');
  console.log(`workload: ${cases.length} fact sets (2 programs x eligibility/reward x ${CASES_PER_KIND}); decisions: ${codes}`);
  console.log(
    `cross-check: rule-dsl (deciding, and explaining) and the hand-written code ${handMismatches === 0 ? 'agree on every decision' : `DISAGREE ${handMismatches} times`}; ` +
      `json-rules-engine ${jreMismatches === 0 ? 'agrees on every well-formed fact set' : `DISAGREES ${jreMismatches} times`}` +
      ` (and differs on ${jreMalformedDisagreements} of ${malformed} malformed ones, where it reads a missing fact as undefined)`,
  );
  return handMismatches === 0 && jreMismatches === 0;
}

/** CPU seconds this process used since `start`: unlike wall time, not inflated by other processes. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Runs `fn` over the workload until `ms` of wall time have passed; returns evaluations per CPU second. */
function measureSync(cases: readonly BenchCase[], fn: (c: BenchCase) => { code: string }, ms: number): number {
  let sink = 0;
  let evaluations = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  do {
    for (let i = 0; i < cases.length; i++) sink += fn(cases[i] as BenchCase).code.length;
    evaluations += cases.length;
  } while (performance.now() - start < ms);
  const cpuSeconds = cpuSecondsSince(cpuStart);
  if (sink === 0) console.log('(impossible)'); // keeps the results observable
  return evaluations / cpuSeconds;
}

/** json-rules-engine is asynchronous: one awaited run per evaluation, as callers would use it. */
async function measureJre(cases: readonly BenchCase[], inputs: readonly Record<string, unknown>[], ms: number): Promise<number> {
  let sink = 0;
  let evaluations = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  do {
    for (let i = 0; i < cases.length && (i % 256 !== 0 || performance.now() - start < ms); i++) {
      const result = await jreEngineFor(cases[i] as BenchCase).run(inputs[i]);
      sink += result.events.length + 1;
      evaluations += 1;
    }
  } while (performance.now() - start < ms);
  const cpuSeconds = cpuSecondsSince(cpuStart);
  if (sink === 0) console.log('(impossible)');
  return evaluations / cpuSeconds;
}

const CONTESTANTS = {
  closures: 'rule-dsl, closures',
  explained: 'rule-dsl, closures + explanation',
  jre: 'json-rules-engine',
  hand: 'hand-written TypeScript',
} as const;
type ContestantId = keyof typeof CONTESTANTS;
const CONTESTANT_IDS = Object.keys(CONTESTANTS) as ContestantId[];
const PASSES = 2;

/** In a child process: warm up, measure ROUNDS rounds, print the rates as JSON. */
async function runContestant(id: ContestantId): Promise<void> {
  const cases = buildFactSets(CASES_PER_KIND);
  const jreInputs = cases.map(jreFacts);
  const measure: Record<ContestantId, (ms: number) => Promise<number>> = {
    closures: async (ms) => measureSync(cases, (c) => evaluateCompiled(c, false), ms),
    explained: async (ms) => measureSync(cases, (c) => evaluateCompiled(c, true), ms),
    jre: (ms) => measureJre(cases, jreInputs, ms),
    hand: async (ms) => measureSync(cases, evaluateByHand, ms),
  };
  await measure[id](WARMUP_MS);
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) rates.push(await measure[id](MEASURE_MS / ROUNDS / PASSES));
  process.stdout.write(`${JSON.stringify(rates)}\n`);
}

/**
 * Each contestant runs in its own process, so no contestant's code is optimized for another's
 * shapes (closures shared by two evaluators, say, would slow both); contestants alternate over
 * PASSES passes so a burst of outside load hits all of them alike; each is reported by its best
 * round (the least disturbed one), with the median for reference.
 */
function race(): Record<ContestantId, number[]> {
  const rates = Object.fromEntries(CONTESTANT_IDS.map((id) => [id, [] as number[]])) as Record<ContestantId, number[]>;
  for (let pass = 0; pass < PASSES; pass++) {
    const order = pass % 2 === 0 ? CONTESTANT_IDS : [...CONTESTANT_IDS].reverse();
    for (const id of order) {
      const output = execFileSync(process.execPath, [...process.execArgv, __filename], {
        env: { ...process.env, BENCH_RULES_CONTESTANT: id },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      rates[id].push(...(JSON.parse(output.trim().split('\n').pop() ?? '[]') as number[]));
    }
  }
  return rates;
}

const best = (rates: readonly number[]): number => Math.max(...rates);
const median = (rates: readonly number[]): number => [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
const format = (perSecond: number): string => Math.round(perSecond).toLocaleString('en-US').padStart(12);

async function main(): Promise<void> {
  const contestant = process.env['BENCH_RULES_CONTESTANT'];
  if (contestant) return runContestant(contestant as ContestantId);

  const cases = buildFactSets(CASES_PER_KIND);
  console.log(
    `rule evaluation benchmark (Node ${process.version}; ${MEASURE_MS} ms per contestant, each in its own process after ${WARMUP_MS} ms warm-up; ` +
      `rule-dsl ${BUILT ? 'built package (dist)' : 'TypeScript sources via tsx'})`,
  );
  const agreed = await crossCheck(cases, cases.map(jreFacts));
  const rates = race();

  console.log(`evaluations per CPU second (best of ${ROUNDS * PASSES} rounds; median in parentheses)`);
  for (const id of CONTESTANT_IDS) console.log(`  ${CONTESTANTS[id].padEnd(38)}${format(best(rates[id]))}  (${format(median(rates[id])).trim()})`);
  console.log('ratios (goals: >= 25x json-rules-engine, >= 0.5x hand-written; with explanation >= 50x json-rules-engine)');
  for (const id of ['closures', 'explained'] as const) {
    const vsJre = best(rates[id]) / best(rates.jre);
    const vsHand = best(rates[id]) / best(rates.hand);
    const handVerdict = id === 'explained' ? '(also builds explanations)' : vsHand >= 0.5 ? 'met' : 'NOT met';
    const jreGoal = id === 'explained' ? 50 : 25;
    console.log(
      `  ${CONTESTANTS[id].padEnd(34)} / json-rules-engine ${vsJre.toFixed(1).padStart(6)}x ${vsJre >= jreGoal ? 'met    ' : 'NOT met'}` +
        `   / hand-written ${vsHand.toFixed(2).padStart(5)}x ${handVerdict}`,
    );
  }
  if (!agreed) {
    console.error('The contestants disagree on some decisions: the figures above do not compare the same work.');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
