import { type Datatype, type FactValueOf, isDatatype } from './datatypes';
import { RuleDslError } from './errors';

/** When a fact exists: at referral creation (`eligibility`) or at each trigger event (`reward`). */
export const PHASES = ['eligibility', 'reward'] as const;
export type Phase = (typeof PHASES)[number];

/** One fact a host promises to supply (or, for a clock fact, the evaluator supplies). */
export interface FactDeclaration {
  readonly datatype: Datatype;
  readonly phases: readonly Phase[];
  /** An optional fact may be absent or null; `is_set` / `is_not_set` test it. */
  readonly optional?: boolean;
  /**
   * A clock fact is the evaluation instant itself (`now`): the evaluator fills it from the `at`
   * option, so evaluation stays deterministic (no hidden clock read; safe in Temporal workflows).
   */
  readonly clock?: boolean;
  readonly description: string;
}

export type FactDeclarations = Readonly<Record<string, FactDeclaration>>;

/** A fact of the catalog with its path. */
export interface FactDefinition extends FactDeclaration {
  readonly path: string;
}

/** The typed vocabulary programs of one product may use: facts by path, and the trigger events. */
export interface FactCatalog<F extends FactDeclarations = FactDeclarations> {
  readonly product: string;
  readonly description: string;
  /** Event types that may trigger reward evaluation (`payment.succeeded`). */
  readonly events: readonly string[];
  readonly facts: F;
}

export interface FactCatalogDeclaration<F extends FactDeclarations> {
  readonly product: string;
  readonly description?: string;
  readonly events: readonly string[];
  readonly facts: F;
}

const FACT_PATH = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;

/**
 * Declares a host's fact catalog. Checks it once (paths, datatypes, phases) and throws
 * `RuleDslError('catalog_invalid')` listing every mistake: a catalog is code written at startup,
 * so failing fast is right. The literal types of the declaration type the fact sets of programs
 * compiled against it (see `FactSetFor`).
 */
export function defineFactCatalog<const F extends FactDeclarations>(declaration: FactCatalogDeclaration<F>): FactCatalog<F> {
  const mistakes = catalogMistakes(declaration);
  if (mistakes.length > 0) {
    throw new RuleDslError('catalog_invalid', `fact catalog for "${String(declaration.product)}" is invalid: ${mistakes.join('; ')}`);
  }
  const facts = Object.freeze(
    Object.fromEntries(
      Object.entries(declaration.facts).map(([path, fact]) => [path, Object.freeze({ ...fact, phases: Object.freeze([...fact.phases]) })]),
    ),
  ) as unknown as F;
  return Object.freeze({
    product: declaration.product,
    description: declaration.description ?? '',
    events: Object.freeze([...declaration.events]),
    facts,
  });
}

function catalogMistakes(declaration: FactCatalogDeclaration<FactDeclarations>): string[] {
  const mistakes: string[] = [];
  if (typeof declaration.product !== 'string' || declaration.product === '') mistakes.push('product must be a non-empty string');
  if (!Array.isArray(declaration.events) || declaration.events.some((e) => typeof e !== 'string' || e === '')) {
    mistakes.push('events must be an array of event type names');
  }
  const paths = Object.keys(declaration.facts ?? {});
  for (const path of paths) {
    const fact = declaration.facts[path] as FactDeclaration | undefined;
    if (!FACT_PATH.test(path)) mistakes.push(`"${path}" is not a dotted snake_case path`);
    if (!fact || typeof fact !== 'object') {
      mistakes.push(`"${path}" has no declaration`);
      continue;
    }
    if (!isDatatype(fact.datatype)) mistakes.push(`"${path}" has unknown datatype ${JSON.stringify(fact.datatype)}`);
    if (!Array.isArray(fact.phases) || fact.phases.length === 0 || fact.phases.some((p) => !PHASES.includes(p))) {
      mistakes.push(`"${path}" must list its phases among ${PHASES.join(', ')}`);
    }
    if (fact.clock && fact.datatype !== 'datetime') mistakes.push(`"${path}" is a clock fact, so it must be a datetime`);
    if (fact.clock && fact.optional) mistakes.push(`"${path}" is a clock fact, so it is always set and cannot be optional`);
    if (typeof fact.description !== 'string' || fact.description.trim() === '') mistakes.push(`"${path}" needs a description`);
    // Fact sets are nested objects: `a.b` as a value and `a.b.c` under it cannot both exist.
    const parent = paths.find((other) => path.startsWith(`${other}.`));
    if (parent) mistakes.push(`"${path}" sits under "${parent}", which is itself a fact`);
  }
  return mistakes;
}

/** The fact at `path`, or undefined. Safe against `__proto__`-style paths. */
export function lookupFact(catalog: FactCatalog, path: string): FactDefinition | undefined {
  if (!Object.prototype.hasOwnProperty.call(catalog.facts, path)) return undefined;
  const fact = catalog.facts[path];
  return fact ? { ...fact, path } : undefined;
}

/** Every fact of the catalog, in declaration order (for admin screens and docs). */
export function listFacts(catalog: FactCatalog): FactDefinition[] {
  return Object.entries(catalog.facts).map(([path, fact]) => ({ ...fact, path }));
}

// ---------------------------------------------------------------------------------------------
// Type level: a catalog declared with literal types gives the shape of its fact sets.

/** A fact set as the evaluator reads it: nested objects addressed by the facts' dotted paths. */
export type FactSet = Readonly<Record<string, unknown>>;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

type Nest<Path extends string, Value, Optional extends boolean> = Path extends `${infer Head}.${infer Rest}`
  ? { readonly [K in Head]: Nest<Rest, Value, Optional> }
  : Optional extends true
    ? { readonly [K in Path]?: Value | null }
    : { readonly [K in Path]: Value };

type NestFact<Path extends string, D extends FactDeclaration> = Nest<
  Path,
  FactValueOf[D['datatype']],
  D['optional'] extends true ? true : false
>;

type Expand<T> = T extends Date | readonly unknown[] ? T : T extends object ? { [K in keyof T]: Expand<T[K]> } : T;

type PathsIn<F extends FactDeclarations, P extends Phase> = {
  [K in keyof F & string]: F[K]['clock'] extends true ? never : P extends F[K]['phases'][number] ? K : never;
}[keyof F & string];

/**
 * The fact set a catalog expects in a phase: clock facts left out (the evaluator supplies them),
 * optional facts optional. A catalog typed only as `FactCatalog` gives the loose `FactSet`.
 */
export type FactSetFor<F extends FactDeclarations, P extends Phase> = string extends keyof F
  ? FactSet
  : Expand<UnionToIntersection<{ [K in PathsIn<F, P>]: NestFact<K, F[K]> }[PathsIn<F, P>]>>;

/** The facts of a catalog's declarations type (`typeof catalog.facts`) at referral creation. */
export type EligibilityFactsFor<F extends FactDeclarations> = FactSetFor<F, 'eligibility'>;
/** The facts of a catalog's declarations type at a trigger event. */
export type RewardFactsFor<F extends FactDeclarations> = FactSetFor<F, 'reward'>;
