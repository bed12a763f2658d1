import { type ProgramDocument, type ProgramStatus } from '@referrals/rule-dsl';

/** One stored version of a program: the document as saved, who saved it, when and why. */
export interface ProgramVersion {
  readonly key: string;
  readonly version: number;
  readonly product: string;
  readonly status: ProgramStatus;
  readonly priority: number;
  readonly name: string;
  readonly document: ProgramDocument;
  readonly author: string;
  readonly changeNote: string;
  readonly createdAt: Date;
}

/** A line of the History view: a version without its document. */
export type ProgramVersionSummary = Omit<ProgramVersion, 'document'> & {
  /** True for the version the program currently runs. */
  readonly current: boolean;
};

export interface ProgramVersionRow {
  program_key: string;
  version: number;
  product: string;
  status: ProgramStatus;
  priority: number;
  name: string;
  document: ProgramDocument;
  content_hash: string;
  author: string;
  change_note: string;
  created_at: Date;
}

export const VERSION_COLUMNS =
  'v.program_key, v.version, v.product, v.status, v.priority, v.name, v.document, v.content_hash, v.author, v.change_note, v.created_at';

export function toProgramVersion(row: ProgramVersionRow): ProgramVersion {
  return {
    key: row.program_key,
    version: row.version,
    product: row.product,
    status: row.status,
    priority: row.priority,
    name: row.name,
    document: row.document,
    author: row.author,
    changeNote: row.change_note,
    createdAt: row.created_at,
  };
}

export function toVersionSummary(row: Omit<ProgramVersionRow, 'document'> & { current: boolean }): ProgramVersionSummary {
  return {
    key: row.program_key,
    version: row.version,
    product: row.product,
    status: row.status,
    priority: row.priority,
    name: row.name,
    author: row.author,
    changeNote: row.change_note,
    createdAt: row.created_at,
    current: row.current,
  };
}
