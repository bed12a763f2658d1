import { type Conjoin, conjoinClosures, type Conjunct, MATCHED, NOT_MATCHED, type Reader, type Test, UNKNOWN } from './compile-condition';

/*
 * Generated code for flat ANDs of conditions: one JavaScript function per eligibility list, rule
 * and predicate branch, built once at compile time with `new Function`.
 *
 * Why: composed closures share their code between all programs, so the engine sees every fact set
 * shape at the same property reads and calls (megamorphic: hash lookups instead of inline caches).
 * A function generated per conjunction reads `facts["subscription"]["tier"]` with fixed names and
 * compares against inline literals, like hand-written code.
 *
 * Safety: the source contains only fact path segments (checked as snake_case by the catalog and
 * quoted with JSON.stringify), numbers printed by String(), JSON-quoted strings and `K[i]`
 * references to constants passed in as an argument; nothing from a document reaches the source
 * unquoted. Semantics are the closures': the inline form covers only well-typed values of simple
 * checks (see `inlineSourceFor`); every other value, and every other condition, is evaluated by the
 * very closure the closure evaluator uses.
 *
 * Where code generation is forbidden (a browser page with a strict Content Security Policy), the
 * closures are used instead.
 */

let codeGenerationAllowed: boolean | undefined;

/** Whether `new Function` works here (memoized). */
export function canGenerateCode(): boolean {
  if (codeGenerationAllowed === undefined) {
    try {
      codeGenerationAllowed = (new Function('return 1') as () => number)() === 1;
    } catch {
      codeGenerationAllowed = false;
    }
  }
  return codeGenerationAllowed;
}

function readSource(segments: readonly string[], clock: boolean): string {
  if (clock) return 'v = at;';
  const [first, ...rest] = segments.map((segment) => JSON.stringify(segment));
  if (rest.length === 0) return `v = facts[${String(first)}];`;
  let source = `o = facts[${String(first)}];`;
  rest.forEach((segment, i) => {
    source += i === rest.length - 1 ? ` v = typeof o === "object" && o !== null ? o[${segment}] : undefined;` : ` o = typeof o === "object" && o !== null ? o[${segment}] : undefined;`;
  });
  return source;
}

/** Collects the constants generated code refers to as `K[i]`. */
export class Constants {
  readonly values: unknown[] = [];
  ref = (value: unknown): string => `K[${this.values.push(value) - 1}]`;
}

/**
 * Statements evaluating a flat AND over `facts` and `at`: `onFalse` runs at the first member that
 * does not match; afterwards `u` is true when some member was unknown. Declares nothing: the
 * enclosing function declares `o, v, r, u`.
 */
export function conjunctionStatements(conjuncts: readonly Conjunct[], constants: Constants, onFalse: string): string[] {
  const lines: string[] = [];
  for (const conjunct of conjuncts) {
    const comparison = conjunct.comparison;
    if (!comparison) {
      lines.push(`r = ${constants.ref(conjunct.test)}(facts, at); if (r === ${NOT_MATCHED}) ${onFalse} if (r !== ${MATCHED}) u = true;`);
      continue;
    }
    const fallback = `r = ${constants.ref(comparison.check)}(v); if (r === ${NOT_MATCHED}) ${onFalse} if (r !== ${MATCHED}) u = true;`;
    const inline = comparison.inline?.(constants.ref);
    lines.push(readSource(comparison.segments, comparison.clock));
    lines.push(inline ? `if (${inline.guard}) { if (!(${inline.matched})) ${onFalse} } else { ${fallback} }` : fallback);
  }
  return lines;
}

/** Compiles `function name(params) { body }` with the constants bound to `K`. */
export function generateFunction<T>(name: string, params: string, body: readonly string[], constants: Constants): T {
  const source = `"use strict";\nreturn function ${name}(${params}) {\n  ${body.join('\n  ')}\n};`;
  return (new Function('K', source) as (k: readonly unknown[]) => T)(constants.values);
}

/** Generates the test of a flat AND: not matched at the first false member; unknown if any member was. */
export function generateConjunction(conjuncts: readonly Conjunct[]): Test {
  if (conjuncts.length === 0) return conjoinClosures(conjuncts);
  const constants = new Constants();
  const body = [
    'let o, v, r, u = false;',
    ...conjunctionStatements(conjuncts, constants, `return ${NOT_MATCHED};`),
    `return u ? ${UNKNOWN} : ${MATCHED};`,
  ];
  return generateFunction<Test>('conjunction', 'facts, at', body, constants);
}

/** A generated reader of one fact (fixed property names), for reward bases. */
export function generateReader(segments: readonly string[], clock: boolean): Reader {
  const source = `"use strict";\nreturn function read(facts, at) {\n  let o, v;\n  ${readSource(segments, clock)}\n  return v;\n};`;
  return (new Function(source) as () => Reader)();
}

/** Generated conjunctions where code generation is allowed, composed closures elsewhere. */
export const conjoinGenerated: Conjoin = (conjuncts) => (canGenerateCode() ? generateConjunction(conjuncts) : conjoinClosures(conjuncts));
