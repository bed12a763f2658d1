import { RuleDslError } from '../errors';
import { lookupFact } from '../fact-catalog';
import { examplePrograms } from '../fixtures';
import { validateProgram } from '../validate-program';
import { CATALOG_KINDS, catalogForProduct, catalogKinds, isCatalogKind } from './catalog-kinds';

describe('generic catalog kinds', () => {
  it('name kinds of business, not products', () => {
    expect(CATALOG_KINDS).toEqual(['payments', 'lessons']);
    expect(catalogKinds.payments.product).toBe('payments');
    expect(catalogKinds.lessons.product).toBe('lessons');
    expect(isCatalogKind('payments')).toBe(true);
    expect(isCatalogKind('kilo_pass')).toBe(false);
    expect(isCatalogKind('constructor')).toBe(false);
  });

  it('catalogForProduct re-declares a kind under any product: programs of that product validate against it', () => {
    const boost = catalogForProduct(catalogKinds.payments, 'kilo_boost');
    expect(boost).toMatchObject({ product: 'kilo_boost', events: ['payment.succeeded'] });
    const program = { ...JSON.parse(JSON.stringify(examplePrograms.kiloPass)) as typeof examplePrograms.kiloPass, key: 'kilo-boost-referrals', product: 'kilo_boost' };
    expect(validateProgram(program, boost).problems).toEqual([]);
  });

  it('catalogForProduct adds the facts a host declares for that product, usable in programs', () => {
    const boost = catalogForProduct(catalogKinds.payments, 'kilo_boost', {
      'account.plan': { datatype: 'string', phases: ['eligibility', 'reward'], description: 'The account plan the host reports.' },
    });
    expect(lookupFact(boost, 'account.plan')?.datatype).toBe('string');
    const program = { ...JSON.parse(JSON.stringify(examplePrograms.kiloPass)) as typeof examplePrograms.kiloPass, product: 'kilo_boost' };
    program.eligibility = [...program.eligibility, { subject: 'account.plan', operator: 'eq', value: 'pro' }];
    expect(validateProgram(program, boost).problems).toEqual([]);
    expect(lookupFact(catalogKinds.payments, 'account.plan')).toBeUndefined();
  });

  it('catalogForProduct refuses a host fact that redefines a generic fact, or a malformed one', () => {
    expect(() =>
      catalogForProduct(catalogKinds.payments, 'kilo_boost', { 'payment.amount': { datatype: 'int', phases: ['reward'], description: 'A clash.' } }),
    ).toThrow(new RuleDslError('catalog_invalid', 'fact catalog for "kilo_boost" is invalid: "payment.amount" is already a fact of the payments catalog'));
    expect(() => catalogForProduct(catalogKinds.lessons, 'tutoring_plus', { 'Bad Path': { datatype: 'int', phases: ['reward'], description: 'Bad.' } })).toThrow(
      /"Bad Path" is not a dotted snake_case path/,
    );
  });
});
