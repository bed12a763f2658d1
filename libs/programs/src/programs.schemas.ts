import { inputParser } from '@referrals/errors';
import { PROGRAM_STATUSES } from '@referrals/rule-dsl';
import { z } from 'zod';
import { ProgramError } from './programs.errors';

/** A program key as rule-dsl defines it (`kilo-pass-referrals`). */
export const programKeySchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug like kilo-pass-referrals');

export const versionNumberSchema = z.int().min(1, 'versions start at 1');

export const saveProgramSchema = z.strictObject({
  /** The program document; its shape and meaning are checked by rule-dsl, not here. */
  document: z.unknown(),
  /** Who saves (`operator:alice@example.com`): shown in History. */
  author: z.string().trim().min(1, 'must name who saves').max(200, 'must be at most 200 characters'),
  /** Why: shown in History. */
  changeNote: z.string().trim().min(1, 'must say what changed and why').max(2000, 'must be at most 2000 characters'),
  /**
   * Optimistic concurrency: the current version the author edited (0 for a new program). Stale
   * means someone saved in between: `version_conflict`. Omitted: the save is unconditional.
   */
  expectedVersion: z.int().min(0, 'must be 0 (new program) or a version number').optional(),
});

export type SaveProgramInput = z.input<typeof saveProgramSchema>;

export const listProgramsSchema = z
  .strictObject({
    product: z.string().min(1).max(64).optional(),
    status: z.enum(PROGRAM_STATUSES).optional(),
  })
  .default({});

export type ListProgramsFilter = z.input<typeof listProgramsSchema>;

/** Parses `input` or throws one `input_invalid` ProgramError listing every issue with its path (see @referrals/errors). */
export const parseInput = inputParser(ProgramError);
