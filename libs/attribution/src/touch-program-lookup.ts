import { queryRows } from '@referrals/sql';
import { type Sequelize } from 'sequelize';
import { createGroupBatcher } from './group-batches';

/** What touch capture needs to know of a program it names: its product and whether it is retired. */
export interface TouchProgram {
  readonly product: string;
  readonly retired: boolean;
}

/**
 * The program reads of touch capture, grouped like its writes: every referral touch reads one
 * program (the one it names, or those of its code), and a read per touch had cost touch capture
 * a third of its throughput (bench:api). Lookups that arrive together share one SELECT.
 */
export interface TouchProgramLookup {
  /** The program with this key, or null when there is none. */
  program(key: string): Promise<TouchProgram | null>;
  /** The keys of the programs of `product` in which `code` is someone's referral code, sorted. */
  programsOfCode(product: string, code: string): Promise<readonly string[]>;
}

interface CodeLookup {
  readonly product: string;
  readonly code: string;
}

/** Row `n` (1-based) of the batch each answer belongs to. */
const byRow = <T extends { n: string | number }>(rows: readonly T[], size: number): T[][] => {
  const grouped: T[][] = Array.from({ length: size }, () => []);
  for (const row of rows) grouped[Number(row.n) - 1]?.push(row);
  return grouped;
};

/** As the touch writer's defaults: up to 200 lookups per SELECT, two SELECTs of each kind in flight. */
const BATCHING = { maxBatch: 200, maxInFlight: 2 };

export function createTouchProgramLookup(sequelize: Sequelize): TouchProgramLookup {

  const programs = createGroupBatcher(async (keys: readonly string[]) => {
    const rows = await queryRows<{ n: string; product: string; status: string }>(
      sequelize,
      undefined,
      `SELECT k.n, p.product, p.status FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) JOIN programs p ON p.key = k.key`,
      [keys],
    );
    return byRow(rows, keys.length).map(([row]) => (row ? { product: row.product, retired: row.status === 'retired' } : null));
  }, BATCHING);

  const codes = createGroupBatcher(async (lookups: readonly CodeLookup[]) => {
    const rows = await queryRows<{ n: string; program_key: string }>(
      sequelize,
      undefined,
      `SELECT DISTINCT l.n, c.program_key
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS l(code, product, n)
         JOIN attribution_referral_codes c ON c.code = l.code
         JOIN programs p ON p.key = c.program_key AND p.product = l.product
        ORDER BY l.n, c.program_key`,
      [lookups.map((l) => l.code), lookups.map((l) => l.product)],
    );
    return byRow(rows, lookups.length).map((matches) => matches.map((m) => m.program_key));
  }, BATCHING);

  return {
    program: (key) => programs.submit(key),
    programsOfCode: (product, code) => codes.submit({ product, code }),
  };
}
