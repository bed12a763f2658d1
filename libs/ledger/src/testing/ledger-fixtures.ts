import { type Sequelize } from 'sequelize';
import { createSequelize } from '@referrals/db';
import { type GrantRewardsInput, type RoleOutcome } from '../grant-rewards';
import { verifyLedger } from '../verify-ledger';

/** Spec helpers for the ledger's own tests (not part of the public API). */

let sequence = 0;
/** A unique id per call, so tests sharing one database never collide. */
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}`;
}

export const T0 = new Date('2026-01-15T10:00:00.000Z');
export const DAY_MS = 24 * 60 * 60 * 1000;
export function daysAfter(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export function fixedOutcome(role: 'referrer' | 'referee', overrides: Partial<RoleOutcome> = {}): RoleOutcome {
  return {
    role,
    decision: 'grant',
    kind: 'fixed',
    amountMinor: 2450,
    unit: 'USD',
    initialStatus: 'pending',
    expiresAt: daysAfter(T0, 365),
    reason: 'rule 1: first paid monthly tier_49 payment',
    ...overrides,
  } as RoleOutcome;
}

/** A Kilo-Pass-like qualifying conversion: both roles earn 2450 USD cents, pending, cap 5. */
export function grantInput(overrides: Partial<GrantRewardsInput> = {}): GrantRewardsInput {
  return {
    programKey: 'kilo-pass',
    programVersion: 3,
    product: 'kilo_pass',
    conversionId: uniqueId('pay'),
    referralId: uniqueId('ref'),
    referrerId: uniqueId('referrer'),
    refereeId: uniqueId('referee'),
    earnedAt: T0,
    referrerCap: 5,
    outcomes: [fixedOutcome('referrer'), fixedOutcome('referee')],
    actor: 'test:grant',
    ...overrides,
  };
}

/** A second pool on the test database, big enough that N concurrent calls really run at once. */
export function widePool(databaseUrl: string, size: number): Sequelize {
  return createSequelize({ databaseUrl, poolMax: size });
}

/** Every spec ends its scenarios with this: the books and the rewards must agree. */
export async function expectLedgerSound(sequelize: Sequelize): Promise<void> {
  expect(await verifyLedger(sequelize)).toEqual([]);
}

/** Row counts of the ledger tables: "a replay writes nothing" is checked by comparing them. */
export async function tableCounts(sequelize: Sequelize): Promise<Record<string, number>> {
  const tables = [
    'ledger_accounts',
    'ledger_transactions',
    'ledger_entries',
    'ledger_rewards',
    'ledger_reward_events',
    'ledger_referrer_caps',
    'ledger_issuances',
    'ledger_issuance_items',
    'ledger_adverse_notices',
    'ledger_conversions',
  ];
  const [row] = (await sequelize.query(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})::int AS ${t}`).join(', ')}`, {
    type: 'SELECT',
  })) as Record<string, number>[];
  return row ?? {};
}

/** The value, or a failed test when it is missing (instead of a non-null assertion). */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}`);
  return value;
}
