import { createProgramStore, type ProgramStore } from '@referrals/programs';
import { loadProductRegistry } from '@referrals/products';
import { examplePrograms, type ProgramDocument } from '@referrals/rule-dsl';
import { QueryTypes, type Sequelize } from 'sequelize';
import { createAttribution, type Attribution } from '../attribution-service';
import { AttributionError } from '../attribution.errors';
import { type EligibilityFactsRequest } from '../program-selection';

export const AUTHOR = 'operator:alice@example.com';
export const SECRET = 'test-secret-0123456789abcdef';
export const DAY_MS = 86_400_000;

/** A clock the test moves by hand. */
export interface ManualClock {
  now: () => Date;
  set: (at: Date | string) => void;
  advance: (ms: number) => void;
}

export function manualClock(start: Date | string): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Who a host user is, as the test host's facts provider reports them. */
export interface Person {
  /** The tutoring marketplace's numeric id (the Challenge program compares ints). */
  numericId?: number;
  toggles?: string[];
  country?: string;
}

export interface Harness {
  clock: ManualClock;
  programs: ProgramStore;
  attribution: Attribution;
  /** The host's users, by user id: what the facts provider answers. */
  people: Map<string, Person>;
  /** Every facts request, in order (to prove which programs were asked about). */
  factsRequests: EligibilityFactsRequest[];
}

/** The catalogs of the committed products file (config/products.json): kilo_pass and tutoring. */
export function productCatalogs() {
  return loadProductRegistry(undefined, {}).catalogs;
}

/**
 * A programs store and an attribution service over one test database, sharing one manual clock,
 * with a facts provider that plays the host: tutoring facts in the lessons catalog's shape
 * (advocate/invitee/referral), kilo_pass facts in the payments catalog's (referrer/referee/referral).
 */
export function buildHarness(sequelize: Sequelize, start: Date | string, options: { defaultWindowDays?: number } = {}): Harness {
  const clock = manualClock(start);
  const people = new Map<string, Person>();
  const factsRequests: EligibilityFactsRequest[] = [];
  const programs = createProgramStore({ sequelize, catalogs: productCatalogs(), clock: clock.now });
  const attribution = createAttribution({
    sequelize,
    programs,
    clock: clock.now,
    emailHashSecret: SECRET,
    ...(options.defaultWindowDays ? { defaultWindowDays: options.defaultWindowDays } : {}),
    eligibilityFacts: (request) => {
      factsRequests.push(request);
      const advocate = people.get(request.referrerUserId) ?? {};
      const invitee = people.get(request.refereeUserId) ?? {};
      if (request.product === 'tutoring') {
        return {
          referral: { created_at: request.signedUpAt },
          advocate: { user_id: advocate.numericId, toggles: advocate.toggles ?? [], country: advocate.country ?? null },
          invitee: { user_id: invitee.numericId, country: invitee.country, signed_up_at: request.signedUpAt },
        };
      }
      return {
        referral: { created_at: request.signedUpAt },
        referrer: { user_id: request.referrerUserId, rewards_earned: 0, country: advocate.country ?? null },
        referee: { user_id: request.refereeUserId, is_new_account: request.isNewAccount, country: invitee.country ?? null },
      };
    },
  });
  return { clock, programs, attribution, people, factsRequests };
}

export function kiloPass(overrides: Partial<ProgramDocument> = {}): ProgramDocument {
  return { ...structuredClone(examplePrograms.kiloPass), ...overrides };
}

export function challengeRewards(overrides: Partial<ProgramDocument> = {}): ProgramDocument {
  return { ...structuredClone(examplePrograms.challengeRewards), ...overrides };
}

let sequence = 0;
/** An id no other test of the file uses (tests of one file share a database). */
export function uid(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

/** Row counts of every attribution table: "changes nothing" means these stay equal. */
export async function tableCounts(sequelize: Sequelize): Promise<Record<string, number>> {
  const tables = ['attribution_touches', 'attribution_referral_codes', 'attribution_deleted_accounts', 'attribution_signups', 'attribution_referrals', 'attribution_conversions',
    'attribution_subscription_payments', 'attribution_conversion_outcomes', 'attribution_conversion_eligibility_marks',
    'payment_instrument_claims', 'payment_instrument_uses'];
  const [row] = await sequelize.query<Record<string, string>>(
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`,
    { type: QueryTypes.SELECT },
  );
  return Object.fromEntries(tables.map((t) => [t, Number(row?.[t])]));
}

/** The AttributionError a call fails with (the test fails if it succeeds or throws something else). */
export async function failure(promise: Promise<unknown>): Promise<AttributionError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AttributionError) return error;
    throw error;
  }
  throw new Error('expected an AttributionError, but the call succeeded');
}

export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`${what} is missing`);
  return value;
}

/**
 * Runs `work` and returns its result with the statements it sent through Sequelize, in order (the
 * database still runs every one of them): how the grouping specs count INSERTs and SELECTs.
 */
export async function withObservedStatements<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const send = sequelize.query.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  const original = sequelize.query;
  sequelize.query = ((...args: unknown[]) => {
    statements.push(String(args[0]));
    return send(...args);
  }) as typeof sequelize.query;
  try {
    return { result: await work(), statements };
  } finally {
    sequelize.query = original;
  }
}
