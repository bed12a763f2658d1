import { AttributionError, attributionErrorCatalog, attributionErrorCodes } from '@referrals/attribution';
import { DomainError, INPUT_INVALID } from '@referrals/errors';
import { impactSyncErrorCodes } from '@referrals/impact-sync';
import { LedgerError, ledgerErrorCodes } from '@referrals/ledger';
import { ProgramError, programErrorCatalog, programErrorCodes } from '@referrals/programs';
import { rewardingErrorCatalog, rewardingErrorCodes } from '@referrals/rewarding';
import { domainErrorToApi, HTTP_STATUS_BY_CODE } from './domain-errors';

/** Every code any domain lib can throw, from the libs' own exported code lists. */
const libCodes: Record<string, readonly string[]> = {
  errors: [INPUT_INVALID],
  attribution: attributionErrorCodes,
  'impact-sync': impactSyncErrorCodes,
  ledger: ledgerErrorCodes,
  programs: programErrorCodes,
  rewarding: rewardingErrorCodes,
};
const everyCode = [...new Set(Object.values(libCodes).flat())].sort();

describe('the HTTP status table of domain error codes', () => {
  it('maps every code any domain lib can throw (a new lib code without a status fails here)', () => {
    const unmapped = Object.entries(libCodes).flatMap(([lib, codes]) =>
      codes.filter((code) => !Object.hasOwn(HTTP_STATUS_BY_CODE, code)).map((code) => `${lib}: ${code}`),
    );
    expect(unmapped).toEqual([]);
  });

  it('maps no code that no lib throws', () => {
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual(everyCode);
  });

  it('gives the codes that have a kind the status of their kind (validation 400, not_found 404, conflict 409, rule_violation 422, internal 500)', () => {
    const kindStatus: Record<string, number> = { validation: 400, not_found: 404, conflict: 409, rule_violation: 422, internal: 500 };
    const disagreeing = Object.entries({ ...attributionErrorCatalog, ...programErrorCatalog, ...rewardingErrorCatalog })
      .filter(([code, doc]) => HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE] !== kindStatus[doc.kind])
      .map(([code]) => code);
    expect(disagreeing).toEqual([]);
  });
});

describe('domainErrorToApi', () => {
  it("answers a lib error with its code's status, the code unchanged, and its issues located in the request", () => {
    const error = new LedgerError('input_invalid', 'grantRewards: outcomes[0].amountMinor must be an integer', {
      issues: [{ code: 'field_invalid', path: 'outcomes[0].amountMinor', message: 'must be an integer' }],
    });
    expect(domainErrorToApi(error)).toMatchObject({
      status: 400,
      code: 'input_invalid',
      details: [{ path: 'body.outcomes[0].amountMinor', message: 'must be an integer' }],
    });
    const invalid = new ProgramError('program_invalid', 'invalid', { issues: [{ code: 'x', path: 'rewardRules[0].operator', message: 'm' }] });
    expect(domainErrorToApi(invalid, { prefix: 'body.document' })).toMatchObject({
      status: 422,
      details: [{ path: 'body.document.rewardRules[0].operator', message: 'm' }],
    });
    expect(domainErrorToApi(new AttributionError('referral_not_found', 'no referral has id 7'), { prefix: 'query' })).toMatchObject({ status: 404, details: [] });
  });

  it('leaves a code that means a bug, a code no table knows and a non-domain error to the 500 handler', () => {
    expect(domainErrorToApi(new LedgerError('ledger_invariant_broken', 'x'))).toBeUndefined();
    expect(domainErrorToApi(new DomainError('something_new', 'x'))).toBeUndefined();
    expect(domainErrorToApi(new Error('connection refused'))).toBeUndefined();
  });
});
