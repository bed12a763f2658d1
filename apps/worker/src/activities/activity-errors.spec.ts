import { attributionErrorCatalog, attributionErrorCodes } from '@referrals/attribution';
import { DomainError, INPUT_INVALID } from '@referrals/errors';
import { impactSyncErrorCatalog, impactSyncErrorCodes } from '@referrals/impact-sync';
import { LedgerError, ledgerErrorCatalog, ledgerErrorCodes } from '@referrals/ledger';
import { ProgramError, programErrorCatalog, programErrorCodes } from '@referrals/programs';
import { rewardingErrorCatalog, rewardingErrorCodes } from '@referrals/rewarding';
import { ApplicationFailure } from '@temporalio/activity';
import { NON_RETRYABLE_BY_CODE, toActivityFailure } from './activity-errors';

/** Every code any domain lib can throw, from the libs' own exported code lists. */
const libCodes: Record<string, readonly string[]> = {
  errors: [INPUT_INVALID],
  attribution: attributionErrorCodes,
  'impact-sync': impactSyncErrorCodes,
  ledger: ledgerErrorCodes,
  programs: programErrorCodes,
  rewarding: rewardingErrorCodes,
};

describe('the retryability table of domain error codes', () => {
  it('maps every code any domain lib can throw, ProgramError codes included (a new lib code without an entry fails here)', () => {
    const unmapped = Object.entries(libCodes).flatMap(([lib, codes]) =>
      codes.filter((code) => !Object.hasOwn(NON_RETRYABLE_BY_CODE, code)).map((code) => `${lib}: ${code}`),
    );
    expect(unmapped).toEqual([]);
  });

  it('maps no code that no lib throws', () => {
    expect(Object.keys(NON_RETRYABLE_BY_CODE).sort()).toEqual([...new Set(Object.values(libCodes).flat())].sort());
  });

  it("agrees with every lib's own word on whether a retry can succeed", () => {
    const catalogs = { attribution: attributionErrorCatalog, 'impact-sync': impactSyncErrorCatalog, ledger: ledgerErrorCatalog, programs: programErrorCatalog, rewarding: rewardingErrorCatalog };
    const disagreeing = Object.entries(catalogs).flatMap(([lib, catalog]) =>
      Object.entries(catalog as Record<string, { retryable: boolean }>)
        .filter(([code, doc]) => NON_RETRYABLE_BY_CODE[code as keyof typeof NON_RETRYABLE_BY_CODE] !== !doc.retryable)
        .map(([code]) => `${lib}: ${code}`),
    );
    expect(disagreeing).toEqual([]);
  });
});

describe('toActivityFailure', () => {
  it('turns a domain error of any lib into an ApplicationFailure typed by its code, non-retryable as the table says', () => {
    const notFound = toActivityFailure(new ProgramError('program_not_found', 'no program has key "x"', { details: { programKey: 'x' } }));
    expect(notFound).toBeInstanceOf(ApplicationFailure);
    expect(notFound).toMatchObject({ type: 'program_not_found', nonRetryable: true, details: [{ programKey: 'x' }] });
    expect(toActivityFailure(new LedgerError('exceeds_credits', 'below zero'))).toMatchObject({ type: 'exceeds_credits', nonRetryable: false });
    expect(toActivityFailure(new DomainError('something_new', 'x', { retryable: true }))).toMatchObject({ type: 'something_new', nonRetryable: false });
  });

  it('leaves any other error as it is, for Temporal to retry', () => {
    const down = new Error('connection refused');
    expect(toActivityFailure(down)).toBe(down);
  });
});
