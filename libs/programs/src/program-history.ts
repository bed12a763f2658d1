import { type Sequelize, type Transaction } from 'sequelize';
import {
  type ProgramVersion,
  type ProgramVersionRow,
  type ProgramVersionSummary,
  toProgramVersion,
  toVersionSummary,
  VERSION_COLUMNS,
} from './program-rows';
import { ProgramError } from './programs.errors';
import { type ListProgramsFilter, listProgramsSchema, parseInput, programKeySchema, versionNumberSchema } from './programs.schemas';
import { queryRows } from '@referrals/sql';

/** The current version of a program, or null when no program has this key. */
export async function findProgram(sequelize: Sequelize, key: string, transaction?: Transaction): Promise<ProgramVersion | null> {
  const programKey = parseInput(programKeySchema, key, 'findProgram');
  const [row] = await queryRows<ProgramVersionRow>(
    sequelize,
    transaction,
    `SELECT ${VERSION_COLUMNS} FROM programs p JOIN program_versions v ON v.program_key = p.key AND v.version = p.current_version
     WHERE p.key = $1`,
    [programKey],
  );
  return row ? toProgramVersion(row) : null;
}

/** True when the program exists and is retired (what the worker asks before Impact work for it). */
export async function isProgramRetired(sequelize: Sequelize, key: string): Promise<boolean> {
  const rows = await queryRows<{ status: string }>(sequelize, undefined, 'SELECT status FROM programs WHERE key = $1', [key]);
  return rows[0]?.status === 'retired';
}

/** Which of these keys name a retired program: one indexed query (attribution asks at every conversion). */
export async function retiredProgramKeys(sequelize: Sequelize, transaction: Transaction | undefined, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await queryRows<{ key: string }>(sequelize, transaction, "SELECT key FROM programs WHERE key = ANY($1::text[]) AND status = 'retired'", [[...new Set(keys)]], {
    direct: true,
    prepare: true,
  });
  return new Set(rows.map((r) => r.key));
}

/** The current version of a program; `program_not_found` when there is none. */
export async function getProgram(sequelize: Sequelize, key: string): Promise<ProgramVersion> {
  const program = await findProgram(sequelize, key);
  if (!program) throw notFound(key);
  return program;
}

/** Any stored version of a program (versions are immutable, so the answer never changes). */
export async function getProgramVersion(sequelize: Sequelize, key: string, version: number, transaction?: Transaction): Promise<ProgramVersion> {
  const programKey = parseInput(programKeySchema, key, 'getProgramVersion');
  const number = parseInput(versionNumberSchema, version, 'getProgramVersion');
  const [row] = await queryRows<ProgramVersionRow>(
    sequelize,
    transaction,
    `SELECT ${VERSION_COLUMNS} FROM program_versions v WHERE v.program_key = $1 AND v.version = $2`,
    [programKey, number],
  );
  if (row) return toProgramVersion(row);
  if (!(await findProgram(sequelize, programKey))) throw notFound(programKey);
  throw new ProgramError('program_version_not_found', `program "${programKey}" has no version ${number}`, {
    details: {
      programKey,
      version: number,
    },
  });
}

/** The History view: every version of a program, newest first, without documents. */
export async function listProgramVersions(sequelize: Sequelize, key: string): Promise<ProgramVersionSummary[]> {
  const programKey = parseInput(programKeySchema, key, 'listProgramVersions');
  const rows = await queryRows<Omit<ProgramVersionRow, 'document'> & { current: boolean }>(
    sequelize,
    undefined,
    `SELECT v.program_key, v.version, v.product, v.status, v.priority, v.name, v.content_hash, v.author, v.change_note,
            v.created_at, v.version = p.current_version AS current
       FROM program_versions v JOIN programs p ON p.key = v.program_key
      WHERE v.program_key = $1
      ORDER BY v.version DESC`,
    [programKey],
  );
  if (rows.length === 0) throw notFound(programKey);
  return rows.map(toVersionSummary);
}

/**
 * The current version of every program, optionally of one product and/or status, in selection
 * order: product, then priority (lower number first), then key.
 */
export async function listPrograms(sequelize: Sequelize, filter: ListProgramsFilter = {}, options: { transaction?: Transaction } = {}): Promise<ProgramVersion[]> {
  const { product, status } = parseInput(listProgramsSchema, filter, 'listPrograms');
  const rows = await queryRows<ProgramVersionRow>(
    sequelize,
    options.transaction,
    `SELECT ${VERSION_COLUMNS} FROM programs p JOIN program_versions v ON v.program_key = p.key AND v.version = p.current_version
      WHERE ($1::text IS NULL OR p.product = $1) AND ($2::text IS NULL OR p.status = $2)
      ORDER BY p.product, p.priority, p.key`,
    [product ?? null, status ?? null],
  );
  return rows.map(toProgramVersion);
}

function notFound(key: string): ProgramError {
  return new ProgramError('program_not_found', `no program has key "${key}"`, { details: { programKey: key } });
}
