import { exampleCatalogs, examplePrograms, validateProgram } from '@referrals/rule-dsl';
import {
  catalogFor,
  compatibleTerms,
  emptyProgram,
  offsetNote,
  documentToForm,
  factsFor,
  formToDocument,
  inputToIso,
  isoToInput,
  operatorsFor,
  productKeys,
  setProducts,
  textToLiteral,
} from './form';

describe('the editor model', () => {
  // What GET /v1/admin/products answers for the example programs' products.
  beforeAll(() => {
    setProducts(
      Object.values(exampleCatalogs).map((c) => ({
        key: c.product,
        catalog: { kind: 'test', description: c.description, events: [...c.events], facts: c.facts },
        currency: 'USD',
        tiers: {},
      })),
    );
  });

  it('offers the products the api lists, no other, and starts a new program on the first one', () => {
    expect(productKeys()).toEqual(['kilo_pass', 'tutoring', 'kiloclaw']);
    expect(catalogFor('kilo_boost')).toBeUndefined();
    expect(emptyProgram()).toMatchObject({ product: 'kilo_pass', trigger: 'payment.succeeded' });
  });

  it('round-trips both example programs losslessly (form -> document)', () => {
    for (const program of Object.values(examplePrograms)) {
      expect(formToDocument(documentToForm(program))).toEqual(program);
    }
  });

  it('offers only the operators of the subject\'s datatype (no contains on a datetime)', () => {
    expect(operatorsFor('tutoring', 'referral.created_at')).toEqual(['eq', 'neq', 'lt', 'lte', 'gt', 'gte']);
    expect(operatorsFor('tutoring', 'advocate.toggles')).toContain('contains');
    expect(operatorsFor('tutoring', 'advocate.country')).toContain('is_set');
  });

  it('offers no lesson fact in eligibility', () => {
    const paths = factsFor('tutoring', 'eligibility').map((f) => f.path);
    expect(paths).toContain('advocate.user_id');
    expect(paths.filter((p) => p.startsWith('lesson.'))).toEqual([]);
  });

  it('offers only compatible value terms', () => {
    const form = documentToForm(examplePrograms.challengeRewards);
    expect(compatibleTerms(form, 'advocate.user_id', 'not_in')).toEqual(['challenge_user_blocklist']);
    expect(compatibleTerms(form, 'now', 'gte')).toEqual(['start_date', 'frozen_date', 'end_date']);
    expect(compatibleTerms(form, 'advocate.toggles', 'contains')).toEqual(['challenge_toggle']);
  });

  it('parses typed inputs into literals', () => {
    expect(textToLiteral('1001, 1002', 'list[int]')).toEqual([1001, 1002]);
    expect(textToLiteral('US,CA', 'list[string]')).toEqual(['US', 'CA']);
    expect(textToLiteral('12.50 USD', 'money')).toEqual({ amountMinor: 1250, currency: 'USD' });
    expect(inputToIso(isoToInput('2025-09-01T00:00:00Z'))).toBe('2025-09-01T00:00:00Z');
    const form = documentToForm(examplePrograms.challengeRewards);
    expect(validateProgram(formToDocument(form), catalogFor('tutoring')!).ok).toBe(true);
  });

  it('says when the admin\'s clock is offset from the server\'s', () => {
    expect(offsetNote(3_600_000)).toBe('You are 1 hour ahead of server time');
    expect(offsetNote(-5 * 60_000)).toBe('You are 5 minutes behind server time');
    expect(offsetNote(10_000)).toBeNull();
  });
});
