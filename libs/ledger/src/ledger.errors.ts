import { codesOf, DomainError, type DomainErrorOptions, type ErrorCodeDoc, type Issue } from '@referrals/errors';

/**
 * Every way a ledger call can fail, as exact snake_case codes (TigerBeetle style: the code is the
 * sentence), listed in the order a call checks them. Each says whether retrying the SAME call can
 * succeed, so the api can map codes to HTTP statuses and the worker can map non-retryable ones to
 * non-retryable Temporal failures.
 *
 * Answers that are part of normal business (a cap reached, a bonus slot already taken, nothing to
 * apply) are NOT errors: operations return them as outcomes, so "why was nothing granted?" is data.
 */
export const ledgerErrorCatalog = {
  input_invalid: {
    retryable: false,
    meaning: 'the input does not satisfy its schema (see `issues`); fix the call',
  },
  exists_with_different_content: {
    retryable: false,
    meaning:
      'the idempotency key (or natural key: conversion+role, issuance, notice, claim) was first used with other content; the first content stands',
  },
  transaction_must_have_two_entries: {
    retryable: false,
    meaning: 'a ledger transaction needs at least one debit and one credit',
  },
  debits_must_equal_credits: {
    retryable: false,
    meaning: 'the entries of a transaction do not balance',
  },
  exceeds_credits: {
    retryable: true,
    meaning:
      'the debit would take an account with `debits_must_not_exceed_credits` below zero; may succeed after the account is credited',
  },
  reward_not_found: {
    retryable: false,
    meaning: 'no reward has this id',
  },
  issuance_not_found: {
    retryable: false,
    meaning: 'no billing event about this issuance was ever received',
  },
  reward_transition_illegal: {
    retryable: false,
    meaning: 'the transition table does not allow moving the reward from its current state to the requested one',
  },
  transaction_conflict: {
    retryable: true,
    meaning: 'the database kept aborting the transaction (deadlock or serialization failure) after several retries',
  },
  ledger_invariant_broken: {
    retryable: false,
    meaning: 'the database refused a write that would break a ledger invariant; this is a bug, nothing was written',
  },
} as const satisfies Record<string, ErrorCodeDoc>;

export type LedgerErrorCode = keyof typeof ledgerErrorCatalog;

/** Every code a ledger call can throw (apps check their code tables against it). */
export const ledgerErrorCodes = codesOf(ledgerErrorCatalog);

/** One problem with an input, located by a path into it (`outcomes[0].amountMinor`). */
export type LedgerIssue = Issue;

/** The single error type of the ledger: a DomainError whose retryability comes from its code. */
export class LedgerError extends DomainError<LedgerErrorCode> {
  constructor(code: LedgerErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(code, message, { ...options, retryable: options.retryable ?? ledgerErrorCatalog[code].retryable });
    this.name = 'LedgerError';
  }
}

export function isLedgerError(error: unknown, code?: LedgerErrorCode): error is LedgerError {
  return error instanceof LedgerError && (code === undefined || error.code === code);
}
