/**
 * @referrals/rule-dsl: the referral program language. Pure (no database, no Node built-ins): runs
 * in services, in a browser storefront and inside Temporal workflows.
 *
 *   const result = validateProgram(document, catalog);            // every problem, with codes and paths
 *   const program = compileProgramOrThrow(document, catalog);      // once per program version
 *   program.evaluateEligibility(facts, { at });                    // at referral creation
 *   program.evaluateReward('payment.succeeded', facts, { at });    // at each trigger event
 */

// The document
export {
  BENEFICIARIES,
  FREE_PERIOD_UNITS,
  FULFILMENT_KINDS,
  INITIAL_REWARD_STATUSES,
  PROGRAM_STATUSES,
  SCHEDULE_TERMS,
  comparisonSchema,
  conditionSchema,
  isPredicateRef,
  literalSchema,
  moneySchema,
  predicateRefSchema,
  programDocumentSchema,
  rewardRuleSchema,
  rewardSchema,
  termSchema,
  type Beneficiary,
  type Comparison,
  type Condition,
  type Fulfilment,
  type InitialRewardStatus,
  type Limits,
  type Literal,
  type PredicateRef,
  type PredicateTerm,
  type ProgramDocument,
  type ProgramStatus,
  type RewardRule,
  type RewardSpec,
  type Schedule,
  type ScheduleTermName,
  type Term,
  type ValueTerm,
} from './program.schema';

// Datatypes, operators, money
export { DATATYPES, type Datatype, type FactValueOf, type LiteralOf, type LiteralValue } from './datatypes';
export { OPERATORS, OPERATORS_BY_DATATYPE, UNARY_OPERATORS, type Operator, valueDatatypeFor } from './operators';
export { formatMoney, minorUnitDigits, type Money } from './money';

// Fact catalogs
export {
  PHASES,
  defineFactCatalog,
  listFacts,
  lookupFact,
  type EligibilityFactsFor,
  type FactCatalog,
  type FactCatalogDeclaration,
  type FactDeclaration,
  type FactDeclarations,
  type FactDefinition,
  type FactSet,
  type FactSetFor,
  type Phase,
  type RewardFactsFor,
} from './fact-catalog';
export { paymentsFactCatalog } from './catalogs/payments.catalog';
export { lessonsFactCatalog } from './catalogs/lessons.catalog';
export { CATALOG_KINDS, catalogForProduct, catalogKinds, isCatalogKind, type CatalogKind } from './catalogs/catalog-kinds';

// Validation
export { PROBLEM_CODES, type Problem, type ProblemCode } from './problems';
export { validateProgram, type ValidationResult } from './validate-program';

// Compilation and evaluation
export { compileProgram, compileProgramOrThrow, type CompileResult, type CompiledProgram } from './compile-program';
export {
  ELIGIBILITY_CODES,
  REWARD_CODES,
  formatEvaluation,
  type EligibilityCode,
  type EligibilityEvaluation,
  type EvaluationOptions,
  type GrantedReward,
  type RewardCode,
  type RewardEvaluation,
  type RewardGrant,
} from './evaluation';
export {
  CONDITION_OUTCOMES,
  failedComparisons,
  flattenTraces,
  formatTraces,
  type BranchTrace,
  type ComparisonTrace,
  type ConditionOutcome,
  type ConditionTrace,
  type EligibilityExplanation,
  type GroupOutcome,
  type PredicateTrace,
  type RewardComputationTrace,
  type RewardExplanation,
  type RuleTrace,
  type WindowTrace,
} from './explain';
export { RuleDslError } from './errors';

// The two example programs
export { exampleCatalogs, examplePrograms, type ExampleProgramName } from './fixtures';
