import { classifySubmissionError } from './submission-errors';

describe('classifySubmissionError', () => {
  it('is none for a Complete submission without ErrorType or ErrorReason: a delivered conversion', () => {
    expect(classifySubmissionError(null, null)).toEqual({ kind: 'none' });
    expect(classifySubmissionError('', '  ')).toEqual({ kind: 'none' });
  });

  it.each([
    ['Contract Error', 'CAMPAIGN_NOT_FOUND', 'submission_configuration_error'],
    ['Contract Error', 'ACTIONTRACKER_CAMPAIGN_MISMATCH', 'submission_configuration_error'],
    ['Validation', 'ACTIONTRACKER_NOT_ACTIVE', 'submission_configuration_error'],
    ['Contract Error', 'ACTIONTERMS_NOT_FOUND RESTRICTED_PROMOCODE', 'submission_configuration_error'],
    ['Validation', 'Invalid date format', 'submission_validation_error'],
    ['validation', null, 'submission_validation_error'],
    [null, 'OID_MISSING', 'submission_validation_error'],
    ['Contract Error', 'CONTRACT_NOT_FOUND RESTRICTED_PROMOCODE', 'submission_contract_error'],
    ['contract_error', 'OUTSIDE_ASSOCIATION_WINDOW', 'submission_contract_error'],
  ])('treats ErrorType %p with reason %p as permanent %p', (errorType, errorReason, code) => {
    expect(classifySubmissionError(errorType, errorReason)).toEqual({ kind: 'permanent', code });
  });

  it('treats CONV_DUPLICATE as delivered: Impact already has this OrderId', () => {
    expect(classifySubmissionError('Contract Error', 'CONV_DUPLICATE')).toEqual({ kind: 'duplicate' });
    expect(classifySubmissionError('Validation', 'conv_duplicate')).toEqual({ kind: 'duplicate' });
  });

  it('treats an ErrorType the documents do not list as transient (resent with the same OrderId)', () => {
    expect(classifySubmissionError('Processing Error', 'TEMPORARY_FAILURE')).toEqual({ kind: 'transient' });
    expect(classifySubmissionError('Something New', null)).toEqual({ kind: 'transient' });
  });
});
