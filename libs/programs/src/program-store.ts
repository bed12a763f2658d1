import { type CompiledProgram, compileProgram } from '@referrals/rule-dsl';
import { type Sequelize, type Transaction } from 'sequelize';
import { type CatalogRegistry } from './catalog-registry';
import { diffProgramDocuments, type ProgramDiff } from './program-diff';
import { findProgram, getProgram, getProgramVersion, listPrograms, listProgramVersions } from './program-history';
import { type ProgramVersion, type ProgramVersionSummary } from './program-rows';
import { ProgramError } from './programs.errors';
import { type ListProgramsFilter, type SaveProgramInput } from './programs.schemas';
import { retireProgramInTransaction, type RetireProgramInput, type RetireProgramResult } from './retire-program';
import { activeAtPriority, priorityConflict, saveProgram, type SaveProgramResult } from './save-program';
import { checkProgram, type SaveCheck } from './validate-for-save';

export interface ProgramStoreDeps {
  readonly sequelize: Sequelize;
  /** Product -> fact catalog: the products registry's `catalogs` (`@referrals/products`, the products file). */
  readonly catalogs: CatalogRegistry;
  /** The server's clock (UTC instants); injectable so tests pin time. */
  readonly clock?: () => Date;
}

/** A stored version compiled against its product's catalog, ready to evaluate. */
export interface PinnedProgram extends ProgramVersion {
  readonly compiled: CompiledProgram;
}

export interface ProgramStore {
  readonly catalogs: CatalogRegistry;
  /** Dry run of a save: every problem, nothing stored. */
  check(document: unknown): SaveCheck;
  /**
   * `check` plus what a save would also refuse from the stored programs: an ACTIVE document whose
   * priority another active program of its product holds (`priority_conflict` at `priority`).
   */
  checkForSave(document: unknown): Promise<SaveCheck>;
  save(input: SaveProgramInput): Promise<SaveProgramResult>;
  /** The current version; `program_not_found` when there is none. */
  get(key: string): Promise<ProgramVersion>;
  /** With `transaction`, reads in the caller's transaction. */
  find(key: string, options?: { transaction?: Transaction }): Promise<ProgramVersion | null>;
  /**
   * Retires the program IN the caller's transaction (a new version with status `retired`; a
   * retired program writes nothing and answers `replayed`). See retire-program.ts.
   */
  retire(input: RetireProgramInput, options: { transaction: Transaction }): Promise<RetireProgramResult>;
  getVersion(key: string, version: number): Promise<ProgramVersion>;
  listVersions(key: string): Promise<ProgramVersionSummary[]>;
  /** Current versions, in selection order (product, priority, key); with `transaction`, read in the caller's transaction. */
  list(filter?: ListProgramsFilter, options?: { transaction?: Transaction }): Promise<ProgramVersion[]>;
  /** What changed from one version to another (either order). */
  diff(key: string, fromVersion: number, toVersion: number): Promise<ProgramDiff>;
  /** A version compiled for evaluation (referral creation, reward evaluation with a pinned version). */
  /** A version compiled (cached: versions are immutable); with `transaction`, a cache miss reads in the caller's transaction. */
  load(key: string, version: number, options?: { transaction?: Transaction }): Promise<PinnedProgram>;
  /** `load` for a version already fetched (saves a query when the caller has it). */
  compile(version: ProgramVersion): PinnedProgram;
}

/**
 * The programs service: storage, history and compiled versions over one database and one catalog
 * registry. Compiled versions are cached by (key, version): versions are immutable and the
 * registry is fixed for the store's life, so a cached compilation can never be stale.
 */
export function createProgramStore(deps: ProgramStoreDeps): ProgramStore {
  const { sequelize } = deps;
  const { catalogs } = deps;
  const clock = deps.clock ?? (() => new Date());
  const compiledCache = new Map<string, PinnedProgram>();

  const compile = (version: ProgramVersion): PinnedProgram => {
    const cacheKey = `${version.key}@${version.version}`;
    const cached = compiledCache.get(cacheKey);
    if (cached) return cached;
    const catalog = catalogs.get(version.product);
    const result = catalog ? compileProgram(version.document, catalog) : undefined;
    if (!result?.ok) {
      // Saved versions passed validation; failing now means the registry or a catalog changed
      // under stored programs, which must be fixed there rather than papered over here.
      throw new ProgramError(
        'stored_program_invalid',
        `program "${version.key}" v${version.version} no longer compiles against the catalog of "${version.product}"`,
        {
          issues: result && !result.ok ? result.problems.map((p) => ({ code: p.code, path: p.path, message: p.message })) : [],
          details: { programKey: version.key, version: version.version, product: version.product },
        },
      );
    }
    const pinned: PinnedProgram = Object.freeze({ ...version, compiled: result.program });
    compiledCache.set(cacheKey, pinned);
    return pinned;
  };

  return {
    catalogs,
    check: (document) => checkProgram(catalogs, document),
    async checkForSave(document) {
      const check = checkProgram(catalogs, document);
      const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
      const { key, product, priority, status } = doc;
      if (status !== 'active' || typeof key !== 'string' || typeof product !== 'string' || typeof priority !== 'number' || !Number.isSafeInteger(priority)) return check;
      if (check.ok === false && check.code === 'product_unknown') return check;
      const other = await activeAtPriority(sequelize, undefined, { key, product, priority });
      if (!other) return check;
      const conflict = priorityConflict({ key, product, priority }, other).issues;
      return { ok: false, code: check.ok ? 'priority_conflict' : check.code, problems: [...(check.ok ? [] : check.problems), ...conflict] };
    },
    save: (input) => saveProgram({ sequelize, catalogs, clock }, input),
    get: (key) => getProgram(sequelize, key),
    find: (key, options = {}) => findProgram(sequelize, key, options.transaction),
    retire: (input, options) => retireProgramInTransaction(sequelize, options.transaction, clock, input),
    getVersion: (key, version) => getProgramVersion(sequelize, key, version),
    listVersions: (key) => listProgramVersions(sequelize, key),
    list: (filter, options) => listPrograms(sequelize, filter, options),
    async diff(key, fromVersion, toVersion) {
      const [from, to] = await Promise.all([getProgramVersion(sequelize, key, fromVersion), getProgramVersion(sequelize, key, toVersion)]);
      return { programKey: from.key, fromVersion: from.version, toVersion: to.version, changes: diffProgramDocuments(from.document, to.document) };
    },
    async load(key, version, options = {}) {
      const cached = compiledCache.get(`${key}@${version}`);
      return cached ?? compile(await getProgramVersion(sequelize, key, version, options.transaction));
    },
    compile,
  };
}
