import { type Sequelize, type Transaction } from 'sequelize';
import { queryRows } from './ledger-sql';

/**
 * Accounts are identified by what they are, not by an id the caller must know:
 * - `beneficiary`: what one user is owed in one program, per currency or unit;
 * - `program_liability`: the source of every grant of a program (its debit balance is what the
 *   program has committed);
 * - `applied`, `expired`, `reversed`: where a program's rewards rest once consumed by an
 *   issuance, expired unused, or canceled/reversed.
 */
export const accountKinds = ['beneficiary', 'program_liability', 'applied', 'expired', 'reversed'] as const;
export type AccountKind = (typeof accountKinds)[number];
export type SystemAccountKind = Exclude<AccountKind, 'beneficiary'>;

/** An account as callers name it; the unit comes from the transaction it is used in. */
export type AccountRef =
  | { kind: 'beneficiary'; programKey: string; beneficiaryId: string }
  | { kind: SystemAccountKind; programKey: string };

interface AccountPolicy {
  /** TigerBeetle-style flags, named as the invariant they keep. */
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  /**
   * Whether posted totals are stored on the row, so the flag is enforced at write time by a CHECK
   * under the row lock. Only for beneficiary accounts: a system account is touched by every
   * operation of its program, so a stored total there would serialize them all. Floors of
   * untracked accounts are checked by verifyLedger (and kept by the reward state machine).
   */
  tracksTotals: boolean;
}

export const accountPolicies: Readonly<Record<AccountKind, AccountPolicy>> = {
  beneficiary: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, tracksTotals: true },
  program_liability: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: true, tracksTotals: false },
  applied: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, tracksTotals: false },
  expired: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, tracksTotals: false },
  reversed: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false, tracksTotals: false },
};

/** The (kind, program_key, owner_id, unit) natural key of an account row. */
export interface AccountKey {
  kind: AccountKind;
  program_key: string;
  owner_id: string;
  unit: string;
}

export function accountKeyOf(ref: AccountRef, unit: string): AccountKey {
  return {
    kind: ref.kind,
    program_key: ref.programKey,
    owner_id: ref.kind === 'beneficiary' ? ref.beneficiaryId : '',
    unit,
  };
}

export function accountRefOf(key: AccountKey): AccountRef {
  return key.kind === 'beneficiary'
    ? { kind: 'beneficiary', programKey: key.program_key, beneficiaryId: key.owner_id }
    : { kind: key.kind, programKey: key.program_key };
}


/**
 * Creates the accounts that do not exist yet. ON CONFLICT DO NOTHING waits for a concurrent
 * creator of the same account to commit, so after this statement every account is visible to the
 * transaction's next statement (READ COMMITTED takes a new snapshot per statement). Rows are
 * inserted in key order so that two transactions creating the same accounts cannot deadlock.
 */
export async function ensureAccounts(sequelize: Sequelize, t: Transaction, refs: readonly AccountKey[]): Promise<void> {
  if (refs.length === 0) return;
  await queryRows(
    sequelize,
    t,
    `INSERT INTO ledger_accounts
       (kind, program_key, owner_id, unit, debits_must_not_exceed_credits, credits_must_not_exceed_debits,
        debits_posted_minor, credits_posted_minor)
     SELECT DISTINCT ON (w.kind, w.program_key, w.owner_id, w.unit)
            w.kind, w.program_key, w.owner_id, w.unit, w.dnec, w.cned,
            CASE WHEN w.tracks THEN 0 END, CASE WHEN w.tracks THEN 0 END
       FROM jsonb_to_recordset($1::jsonb)
         AS w(kind text, program_key text, owner_id text, unit text, dnec boolean, cned boolean, tracks boolean)
      ORDER BY w.kind, w.program_key, w.owner_id, w.unit
     ON CONFLICT ON CONSTRAINT ledger_accounts_identity DO NOTHING`,
    [JSON.stringify(withPolicies(refs))],
  );
}

/** Account keys with the flags of their kind, as the statements creating accounts read them. */
export function withPolicies(refs: readonly AccountKey[]): object[] {
  return refs.map((ref) => {
    const policy = accountPolicies[ref.kind];
    return {
      ...ref,
      dnec: policy.debitsMustNotExceedCredits,
      cned: policy.creditsMustNotExceedDebits,
      tracks: policy.tracksTotals,
    };
  });
}
