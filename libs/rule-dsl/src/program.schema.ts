import { z } from 'zod';
import { DATATYPES } from './datatypes';
import { OPERATORS } from './operators';

/*
 * The program document. The schema checks shape only (what an HTTP body or an admin form must look
 * like); meaning (subjects exist in the catalog, operators fit datatypes, terms resolve, phases,
 * cycles, schedule order) is `validateProgram`'s job, which reports every problem at once.
 *
 * Objects are strict and nothing is transformed or defaulted, so a document parses to exactly the
 * JSON it came from: storing, versioning and diffing documents is lossless.
 */

/** `retired` is terminal and written only by the programs lib's retire operation (Kilo rules 69a-69g). */
export const PROGRAM_STATUSES = ['draft', 'active', 'paused', 'archived', 'retired'] as const;
export const BENEFICIARIES = ['referrer', 'referee', 'both'] as const;
export const INITIAL_REWARD_STATUSES = ['pending', 'earned'] as const;
export const FREE_PERIOD_UNITS = ['day', 'week', 'month'] as const;
export const FULFILMENT_KINDS = ['issuance_bonus_item', 'free_period', 'ledger_credit'] as const;

export const termNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case: lowercase letters, digits and underscores, starting with a letter');

export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with an offset, like 2025-09-01T00:00:00Z' });

export const moneySchema = z.strictObject({
  amountMinor: z.int().describe('Integer minor units (cents).'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD'),
});

/**
 * A literal as written in a document. Deliberately loose (any number, any money-shaped object):
 * `validateProgram` parses it as the datatype the condition needs and reports `literal_invalid`
 * with that datatype, which says more than "invalid union".
 */
export const literalSchema = z.union([
  z.boolean(),
  z.number(),
  z.string(),
  z.array(z.union([z.number(), z.string()])),
  z.strictObject({ amountMinor: z.number(), currency: z.string() }),
]);

/** `subject operator value`, the value a literal (`value`) or a value term (`term`), or absent for unary operators. */
export const comparisonSchema = z.strictObject({
  subject: z.string().min(1).describe('A fact path from the product\'s fact catalog.'),
  operator: z.enum(OPERATORS),
  value: literalSchema.optional(),
  term: termNameSchema.optional().describe('A value-kind term whose value is the expected value.'),
});

/** A reference to a predicate-kind term, optionally negated. */
export const predicateRefSchema = z.strictObject({
  predicate: termNameSchema,
  negate: z.boolean().optional(),
});

export const conditionSchema = z.union([comparisonSchema, predicateRefSchema]);

export const valueTermSchema = z.strictObject({
  name: termNameSchema,
  kind: z.literal('value'),
  description: z.string().optional(),
  datatype: z.enum(DATATYPES),
  value: literalSchema,
});

export const predicateTermSchema = z.strictObject({
  name: termNameSchema,
  kind: z.literal('predicate'),
  description: z.string().optional(),
  /** OR of branches; a branch is an AND of conditions. */
  branches: z.array(z.array(conditionSchema).min(1, 'a branch needs at least one condition')).min(1, 'a predicate needs at least one branch'),
});

export const termSchema = z.discriminatedUnion('kind', [valueTermSchema, predicateTermSchema]);

export const rewardSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fixed'), amount: moneySchema }),
  z.strictObject({
    type: z.literal('percent'),
    /** The rate as a decimal string or number: "50" is half, "12.5" an eighth. */
    percent: z.union([z.string(), z.number()]),
    /** A numeric fact: money (the reward takes its currency), or int/decimal major units of `currency`. */
    of: z.string().min(1),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD').optional(),
  }),
  z.strictObject({ type: z.literal('free_period'), count: z.int().positive(), unit: z.enum(FREE_PERIOD_UNITS) }),
  z.strictObject({ type: z.literal('credits'), credits: z.int().positive() }),
]);

export const rewardRuleSchema = z.strictObject({
  description: z.string().min(1),
  beneficiary: z.enum(BENEFICIARIES),
  reward: rewardSchema,
  initialStatus: z.enum(INITIAL_REWARD_STATUSES),
  /** ALL must match; an empty list always matches (an unconditional fallback rule). */
  conditions: z.array(conditionSchema),
});

export const scheduleSchema = z.strictObject({
  /** Inviting and rewards open. */
  startAt: instantSchema,
  /** Inviting closes (exclusive): no new referrals at or after this instant. */
  frozenAt: instantSchema,
  /** Rewards close (exclusive). */
  endAt: instantSchema,
});

export const limitsSchema = z.strictObject({
  /** The most rewards one referrer can earn in this program; absent means no cap. */
  referrerRewardCap: z.int().positive().optional(),
  /** Pending rewards expire this many days after they were earned; absent means never. */
  pendingExpiryDays: z.int().positive().optional(),
  /** A touch attributes a conversion this many days after it happened (exclusive). */
  attributionWindowDays: z.int().positive(),
  /** Only the referee's first qualifying event can reward. */
  firstQualifyingEventOnly: z.boolean(),
});

export const fulfilmentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('issuance_bonus_item'), itemKind: z.string().min(1) }),
  z.strictObject({ kind: z.literal('free_period') }),
  z.strictObject({ kind: z.literal('ledger_credit') }),
]);

export const programDocumentSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug like kilo-pass-referrals'),
  name: z.string().min(1),
  description: z.string().optional(),
  product: z.string().min(1),
  status: z.enum(PROGRAM_STATUSES),
  /** Lower number, higher priority. */
  priority: z.int(),
  schedule: scheduleSchema,
  terms: z.array(termSchema),
  eligibility: z.array(conditionSchema),
  trigger: z.string().min(1),
  rewardRules: z.array(rewardRuleSchema),
  limits: limitsSchema,
  fulfilment: fulfilmentSchema,
});

export type ProgramDocument = z.infer<typeof programDocumentSchema>;
/** A literal as a document holds it (before it is parsed as the datatype its condition needs). */
export type Literal = z.infer<typeof literalSchema>;
export type ProgramStatus = ProgramDocument['status'];
export type Schedule = ProgramDocument['schedule'];
export type Term = z.infer<typeof termSchema>;
export type ValueTerm = z.infer<typeof valueTermSchema>;
export type PredicateTerm = z.infer<typeof predicateTermSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type PredicateRef = z.infer<typeof predicateRefSchema>;
export type RewardRule = z.infer<typeof rewardRuleSchema>;
export type RewardSpec = z.infer<typeof rewardSchema>;
export type Beneficiary = RewardRule['beneficiary'];
export type InitialRewardStatus = RewardRule['initialStatus'];
export type Limits = ProgramDocument['limits'];
export type Fulfilment = ProgramDocument['fulfilment'];

export function isPredicateRef(condition: Condition): condition is PredicateRef {
  return 'predicate' in condition;
}

/** The schedule's instants, also usable in conditions as the first three value terms (datetime). */
export const SCHEDULE_TERMS = { start_date: 'startAt', frozen_date: 'frozenAt', end_date: 'endAt' } as const;
export type ScheduleTermName = keyof typeof SCHEDULE_TERMS;

export function isScheduleTerm(name: string): name is ScheduleTermName {
  return Object.prototype.hasOwnProperty.call(SCHEDULE_TERMS, name);
}
