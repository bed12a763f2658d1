// The public API of @referrals/programs. Everything else in src/ is internal.

export { createProgramStore, type PinnedProgram, type ProgramStore, type ProgramStoreDeps } from './program-store';
export { type CatalogRegistry } from './catalog-registry';
export { checkProgram, type SaveCheck } from './validate-for-save';
export { type SaveProgramResult } from './save-program';
export { isProgramRetired, retiredProgramKeys } from './program-history';
export { programRetired, type RetireProgramInput, type RetireProgramResult } from './retire-program';
export { type ListProgramsFilter, type SaveProgramInput } from './programs.schemas';
export { type ProgramVersion, type ProgramVersionSummary } from './program-rows';
export {
  DIFF_SECTIONS,
  diffProgramDocuments,
  formatProgramDiff,
  renderCondition,
  renderReward,
  type DiffSection,
  type ProgramChange,
  type ProgramDiff,
} from './program-diff';
export {
  isProgramError,
  ProgramError,
  programErrorCatalog,
  programErrorCodes,
  type ProgramErrorCode,
  type ProgramErrorKind,
  type ProgramIssue,
} from './programs.errors';
export {
  programsMigrations,
} from './programs.migrations';
