import { LedgerError, ledgerErrorCatalog, ledgerErrorCodes } from './ledger.errors';

describe('ledger error codes', () => {
  it('are snake_case sentences, each documented with whether a retry can succeed', () => {
    for (const [code, doc] of Object.entries(ledgerErrorCatalog)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(typeof doc.retryable).toBe('boolean');
      expect(doc.meaning.length).toBeGreaterThan(10);
    }
  });

  it('carry the retryability of their code', () => {
    expect(new LedgerError('exceeds_credits', 'x').retryable).toBe(true);
    expect(new LedgerError('exists_with_different_content', 'x').retryable).toBe(false);
  });

  it('are listed, every one of them, in ledgerErrorCodes', () => {
    expect(ledgerErrorCodes).toEqual(Object.keys(ledgerErrorCatalog));
  });
});
