import { type ProgramDocument } from '@referrals/rule-dsl';
import { type Sequelize, type Transaction } from 'sequelize';
import { type CatalogRegistry } from './catalog-registry';
import { type ProgramVersion, type ProgramVersionRow, toProgramVersion, VERSION_COLUMNS } from './program-rows';
import { ProgramError } from './programs.errors';
import { parseInput, saveProgramSchema, type SaveProgramInput } from './programs.schemas';
import { contentHash, pgErrorOf, queryRows } from '@referrals/sql';
import { programRetired } from './retire-program';
import { validateForSave } from './validate-for-save';

export interface SaveProgramDeps {
  readonly sequelize: Sequelize;
  readonly catalogs: CatalogRegistry;
  readonly clock: () => Date;
}

export interface SaveProgramResult extends ProgramVersion {
  /** True when this exact save (document, author, note) had already been stored: nothing was written. */
  readonly replayed: boolean;
}

interface ProgramRow {
  key: string;
  product: string;
  current_version: number;
  status: string;
}

const ACTIVE_PRIORITY_INDEX = 'programs_one_active_per_product_priority';

/**
 * Saves a program: validates it against its product's catalog (nothing is stored when any
 * problem is found, and every problem is reported), then stores it as a new immutable version and
 * makes that version current, in one transaction.
 *
 * Concurrency. The program row is locked (`FOR UPDATE`) before the expected version is compared,
 * so two saves of one program run one after the other and the second sees the first's version:
 * a stale `expectedVersion` is `version_conflict`. Two ACTIVE programs of one product with one
 * priority are refused by a pre-check (which names the other program) and, for saves racing each
 * other, by a unique partial index, which turns the loser into the same `priority_conflict`.
 *
 * Replays. A save identical to the current version (same document, author and note), sent again
 * unconditionally or with the version it produced minus one, is a retry: it returns that version
 * with `replayed: true` instead of storing a duplicate.
 */
export async function saveProgram(deps: SaveProgramDeps, input: SaveProgramInput): Promise<SaveProgramResult> {
  const request = parseInput(saveProgramSchema, input, 'saveProgram');
  const document = validateForSave(deps.catalogs, request.document);
  const save = { document, hash: contentHash(document), author: request.author, changeNote: request.changeNote, expectedVersion: request.expectedVersion };

  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.sequelize.transaction((t) => saveInTransaction(deps, t, save));
    } catch (error) {
      const { code, constraint } = pgErrorOf(error);
      if (code === '23505' && constraint === ACTIVE_PRIORITY_INDEX) {
        throw priorityConflict(document, await activeAtPriority(deps.sequelize, undefined, document));
      }
      if (code === '23505' && constraint === 'programs_pkey') {
        // Two first saves of one key raced and the other one won. An unconditional save simply
        // runs again (and becomes version 2); a save that expected a new program is stale.
        if (save.expectedVersion === undefined && attempt < 3) continue;
        throw new ProgramError('version_conflict', `program "${document.key}" was created meanwhile by another save`, {
          details: {
            programKey: document.key,
            expectedVersion: save.expectedVersion,
          },
        });
      }
      throw error;
    }
  }
}

interface PlannedSave {
  readonly document: ProgramDocument;
  readonly hash: string;
  readonly author: string;
  readonly changeNote: string;
  readonly expectedVersion: number | undefined;
}

async function saveInTransaction(deps: SaveProgramDeps, t: Transaction, save: PlannedSave): Promise<SaveProgramResult> {
  const { sequelize } = deps;
  const { document } = save;
  const [program] = await queryRows<ProgramRow>(
    sequelize,
    t,
    'SELECT key, product, current_version, status FROM programs WHERE key = $1 FOR UPDATE',
    [document.key],
  );
  const currentVersion = program?.current_version ?? 0;
  let currentHash: string | undefined;

  if (program && currentVersion > 0) {
    const [current] = await queryRows<ProgramVersionRow>(
      sequelize,
      t,
      `SELECT ${VERSION_COLUMNS} FROM program_versions v WHERE v.program_key = $1 AND v.version = $2`,
      [document.key, currentVersion],
    );
    currentHash = current?.content_hash;
    const retry = save.expectedVersion === undefined || save.expectedVersion === currentVersion - 1;
    if (current && retry && current.content_hash === save.hash && current.author === save.author && current.change_note === save.changeNote) {
      return { ...toProgramVersion(current), replayed: true };
    }
  }
  // Retirement is terminal, and only the retire operation (which cancels open rewards with it) retires.
  if (program?.status === 'retired') throw programRetired(document.key, 'document.status');
  if (document.status === 'retired') {
    throw new ProgramError('input_invalid', 'a program is retired through the retire operation (POST /v1/admin/programs/{key}/retire), not by saving', {
      issues: [{ code: 'field_invalid', path: 'document.status', message: 'must not be "retired": use the retire operation' }],
    });
  }
  if (save.expectedVersion !== undefined && save.expectedVersion !== currentVersion) {
    throw new ProgramError(
      'version_conflict',
      `program "${document.key}" is at version ${currentVersion}, not ${save.expectedVersion}: reload it and save again`,
      {
        issues: [{ code: 'version_conflict', path: 'expectedVersion', message: `the current version is ${currentVersion}` }],
        details: { programKey: document.key, expectedVersion: save.expectedVersion, currentVersion },
      },
    );
  }
  if (save.expectedVersion !== undefined && currentHash === save.hash) {
    // Not a retry (caught above) but the same document again: refused, so History lists changes only.
    throw new ProgramError('program_unchanged', `program "${document.key}" version ${currentVersion} already is this document: nothing to save`, {
      issues: [{ code: 'program_unchanged', path: 'document', message: `is the same as version ${currentVersion}; change something before saving` }],
      details: { programKey: document.key, currentVersion },
    });
  }
  if (program && program.product !== document.product) {
    throw new ProgramError(
      'program_product_changed',
      `program "${document.key}" belongs to product "${program.product}"; it cannot move to "${document.product}"`,
      {
        issues: [{ code: 'program_product_changed', path: 'product', message: `must stay "${program.product}"` }],
        details: { programKey: document.key, product: program.product },
      },
    );
  }
  if (document.status === 'active') {
    const other = await activeAtPriority(sequelize, t, document);
    if (other) throw priorityConflict(document, other);
  }

  const now = deps.clock();
  const version = currentVersion + 1;
  if (program) {
    await queryRows(
      sequelize,
      t,
      'UPDATE programs SET current_version = $2, status = $3, priority = $4, updated_at = $5 WHERE key = $1 RETURNING key',
      [document.key, version, document.status, document.priority, now],
    );
  } else {
    await queryRows(
      sequelize,
      t,
      `INSERT INTO programs (key, product, current_version, status, priority, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING key`,
      [document.key, document.product, version, document.status, document.priority, now],
    );
  }
  const [row] = await queryRows<ProgramVersionRow>(
    sequelize,
    t,
    `INSERT INTO program_versions AS v (program_key, version, product, status, priority, name, document, content_hash, author, change_note, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)
     RETURNING ${VERSION_COLUMNS}`,
    [
      document.key,
      version,
      document.product,
      document.status,
      document.priority,
      document.name,
      JSON.stringify(document),
      save.hash,
      save.author,
      save.changeNote,
      now,
    ],
  );
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  return { ...toProgramVersion(row), replayed: false };
}

/** The other ACTIVE program of the document's product at its priority, if any. */
export async function activeAtPriority(sequelize: Sequelize, t: Transaction | undefined, document: Pick<ProgramDocument, 'key' | 'product' | 'priority'>): Promise<string | undefined> {
  const rows = await queryRows<{ key: string }>(
    sequelize,
    t,
    "SELECT key FROM programs WHERE product = $1 AND priority = $2 AND status = 'active' AND key <> $3 ORDER BY key LIMIT 1",
    [document.product, document.priority, document.key],
  );
  return rows[0]?.key;
}

export function priorityConflict(document: Pick<ProgramDocument, 'key' | 'product' | 'priority'>, other: string | undefined): ProgramError {
  return new ProgramError(
    'priority_conflict',
    `active program "${other ?? '(another program)'}" of product "${document.product}" already has priority ${document.priority}`,
    {
      issues: [{ code: 'priority_conflict', path: 'priority', message: `is taken by active program "${other ?? '(another program)'}"` }],
      details: { programKey: document.key, product: document.product, priority: document.priority, conflictingProgramKey: other ?? null },
    },
  );
}
