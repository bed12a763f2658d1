import { contentHash, queryRows } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { findProgram } from './program-history';
import { type ProgramVersion, type ProgramVersionRow, toProgramVersion, VERSION_COLUMNS } from './program-rows';
import { ProgramError } from './programs.errors';
import { parseInput, programKeySchema } from './programs.schemas';

export const retireProgramSchema = z.strictObject({
  key: programKeySchema,
  /** Who retires it (`operator:jane`), recorded as the retiring version's author. */
  author: z.string().trim().min(1).max(200),
  /** Why, recorded as the version's change note and in every canceled reward's audit row. */
  reason: z.string().trim().min(1).max(2000),
});

export type RetireProgramInput = z.input<typeof retireProgramSchema>;

export interface RetireProgramResult {
  /** The retiring version (the program's current version from now on). */
  readonly version: ProgramVersion;
  /** True when the program was retired already: nothing was written. */
  readonly replayed: boolean;
}

/**
 * Retires a program IN the caller's transaction: a new version, identical to the current one but
 * for `status: 'retired'`, becomes current (so History shows who retired it, when and why). The
 * program row is locked first, so a concurrent save or retirement waits and then sees it retired.
 * Retiring a retired program writes nothing (`replayed`). The caller (rewarding's retirement use
 * case) cancels the program's open rewards in the same transaction.
 */
export async function retireProgramInTransaction(sequelize: Sequelize, t: Transaction, clock: () => Date, input: RetireProgramInput): Promise<RetireProgramResult> {
  const request = parseInput(retireProgramSchema, input, 'retireProgram');
  const [locked] = await queryRows<{ key: string }>(sequelize, t, 'SELECT key FROM programs WHERE key = $1 FOR UPDATE', [request.key]);
  const current = locked ? await findProgram(sequelize, request.key, t) : null;
  if (!current) {
    throw new ProgramError('program_not_found', `no program has the key "${request.key}"`, { details: { programKey: request.key } });
  }
  if (current.status === 'retired') return { version: current, replayed: true };

  const document = { ...current.document, status: 'retired' as const };
  const version = current.version + 1;
  const now = clock();
  await queryRows(sequelize, t, 'UPDATE programs SET current_version = $2, status = $3, updated_at = $4 WHERE key = $1 RETURNING key', [
    request.key,
    version,
    'retired',
    now,
  ]);
  const [row] = await queryRows<ProgramVersionRow>(
    sequelize,
    t,
    `INSERT INTO program_versions AS v (program_key, version, product, status, priority, name, document, content_hash, author, change_note, created_at)
     VALUES ($1, $2, $3, 'retired', $4, $5, $6::jsonb, $7, $8, $9, $10)
     RETURNING ${VERSION_COLUMNS}`,
    [request.key, version, current.product, current.priority, current.name, JSON.stringify(document), contentHash(document), request.author, `retired: ${request.reason}`, now],
  );
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  return { version: toProgramVersion(row), replayed: false };
}

/** The refusal every path gives for a retired program (`details.programKey`, the field that named it). */
export function programRetired(programKey: string, path?: string): ProgramError {
  return new ProgramError('program_retired', `program "${programKey}" is retired: it takes nothing new; its records stay readable`, {
    ...(path ? { issues: [{ code: 'program_retired', path, message: `program "${programKey}" is retired` }] } : {}),
    details: { programKey },
  });
}
