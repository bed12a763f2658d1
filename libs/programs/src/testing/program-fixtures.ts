import { loadProductRegistry } from '@referrals/products';
import { examplePrograms, type ProgramDocument } from '@referrals/rule-dsl';
import { type CatalogRegistry } from '../catalog-registry';

/**
 * The two example programs of rule-dsl as editable copies (the originals are deep-frozen), with
 * overrides applied on top. Tests change what they are about and nothing else.
 */
export function kiloPass(overrides: Partial<ProgramDocument> = {}): ProgramDocument {
  return { ...structuredClone(examplePrograms.kiloPass), ...overrides };
}

export function challengeRewards(overrides: Partial<ProgramDocument> = {}): ProgramDocument {
  return { ...structuredClone(examplePrograms.challengeRewards), ...overrides };
}

/** The catalogs of the committed products file (config/products.json): kilo_pass and tutoring. */
export function productCatalogs(): CatalogRegistry {
  return loadProductRegistry(undefined, {}).catalogs;
}

let sequence = 0;
/** A key no other test of the file uses (each test file has its own database, tests share it). */
export function uniqueKey(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

export const AUTHOR = 'operator:alice@example.com';
export const T0 = new Date('2026-01-05T10:00:00.000Z');

/** A clock the test moves by hand. */
export function manualClock(start: Date = T0): { now: () => Date; advance: (ms: number) => void; set: (at: Date) => void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (at) => {
      current = at.getTime();
    },
  };
}

export function defined<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`${what} is missing`);
  return value;
}
