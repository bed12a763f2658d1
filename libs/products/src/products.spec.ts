import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@referrals/config';
import { catalogKinds, examplePrograms, lookupFact, validateProgram } from '@referrals/rule-dsl';
import { createProductRegistry, DEFAULT_PRODUCTS_FILE, loadProductRegistry, loadProducts, monthlyPriceOf, type ProductsFile } from './index';

const dir = mkdtempSync(path.join(tmpdir(), 'products-'));
let files = 0;
const writeProducts = (content: unknown): string => {
  const file = path.join(dir, `products-${++files}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

const kiloBoost = {
  key: 'kilo_boost',
  catalog: { kind: 'payments', facts: { 'account.plan': { datatype: 'string', phases: ['eligibility', 'reward'], description: 'The account plan the host reports.' } } },
  currency: 'EUR',
  tiers: { boost_9: 900, boost_29: 2900 },
  reportsSales: false,
  impact: null,
};
const validFile = (products: unknown[] = [kiloBoost]): ProductsFile => ({ products }) as ProductsFile;

/** The one-line message loading `content` fails with. */
function failure(content: unknown): string {
  try {
    loadProducts(writeProducts(content));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('the products file loaded');
}

describe('the committed products file (config/products.json)', () => {
  const products = loadProductRegistry(DEFAULT_PRODUCTS_FILE, {});

  it('declares Kilo Pass on the payments catalog with its USD tier prices, reporting SALEs to Impact', () => {
    expect(products.get('kilo_pass')).toMatchObject({ key: 'kilo_pass', product: 'kilo_pass', catalog: { kind: 'payments', facts: {} }, currency: 'USD', reportsSales: true, impact: 'kilo_pass' });
    expect(products.get('kilo_pass')?.tiers).toEqual({ tier_19: 1900, tier_49: 4900, tier_199: 19900 });
    expect(products.monthlyPriceOf('kilo_pass', 'tier_49')).toEqual({ minor: 4900, currency: 'USD' });
  });

  it("declares Kilo Pass's welcome-promo launch cutoff (rule 132: before it month 1, at or after it month 2)", () => {
    expect(products.get('kilo_pass')?.welcomePromoLaunchCutoffAt).toBe('2026-10-09T00:00:00.000Z');
    expect(products.get('tutoring')?.welcomePromoLaunchCutoffAt).toBeNull();
  });

  it('[97] rewards Kilo Pass payments settled by Stripe only (App Store, Google Play out of scope); other products take any provider', () => {
    expect(products.get('kilo_pass')?.rewardedProviders).toEqual(['stripe']);
    expect(products.get('tutoring')?.rewardedProviders).toBeNull();
    expect(failure(validFile([{ ...kiloBoost, rewardedProviders: ['Stripe!'] }]))).toMatch(/rewardedProviders/);
    expect(failure(validFile([{ ...kiloBoost, rewardedProviders: [] }]))).toMatch(/rewardedProviders/);
  });

  it('[176, 177] declares the reusable payment method types whose instruments Kilo Pass claims; other products claim none', () => {
    expect(products.get('kilo_pass')?.reusablePaymentMethodTypes).toEqual(['card', 'sepa_debit', 'us_bank_account', 'bacs_debit', 'au_becs_debit']);
    expect(products.get('tutoring')?.reusablePaymentMethodTypes).toEqual([]);
    expect(failure(validFile([{ ...kiloBoost, reusablePaymentMethodTypes: ['Card'] }]))).toMatch(/reusablePaymentMethodTypes/);
    expect(failure(validFile([{ ...kiloBoost, reusablePaymentMethodTypes: ['card', 'card'] }]))).toMatch(/reusablePaymentMethodTypes/);
    expect(failure(validFile([{ ...kiloBoost, reusablePaymentMethodTypes: ['unknown'] }]))).toMatch(/reusablePaymentMethodTypes/);
  });

  it('declares tutoring on the lessons catalog, without tiers and without SALE reports', () => {
    expect(products.get('tutoring')).toMatchObject({ catalog: { kind: 'lessons' }, tiers: {}, reportsSales: false });
    expect(products.list().map((p) => p.key)).toEqual(['kilo_pass', 'tutoring', 'kiloclaw']);
    expect(products.impactProducts()).toEqual(['kilo_pass', 'tutoring', 'kiloclaw']);
  });

  it('declares KiloClaw (its referral program is retired) on the payments catalog with its monthly USD prices, reporting SALEs', () => {
    expect(products.get('kiloclaw')).toMatchObject({ catalog: { kind: 'payments' }, currency: 'USD', tiers: { standard: 900, commit: 800 }, reportsSales: true, impact: 'kiloclaw' });
  });

  it('gives each product the catalog its example program validates against', () => {
    expect(products.catalogs.products()).toEqual(['kilo_pass', 'kiloclaw', 'tutoring']);
    expect(validateProgram(examplePrograms.kiloPass, products.catalogs.get('kilo_pass')!).problems).toEqual([]);
    expect(validateProgram(examplePrograms.challengeRewards, products.catalogs.get('tutoring')!).problems).toEqual([]);
    expect(validateProgram(examplePrograms.kiloClaw, products.catalogs.get('kiloclaw')!).problems).toEqual([]);
    expect(products.catalogs.get('kilo_boost')).toBeUndefined();
    expect(products.catalogs.has('tutoring')).toBe(true);
  });

  it('is the file loadProducts reads when neither a path nor PRODUCTS_FILE is given', () => {
    expect(loadProducts(undefined, {})).toEqual(loadProducts(DEFAULT_PRODUCTS_FILE, {}));
  });
});

describe('a products file', () => {
  it('adds a product purely by configuration: its own catalog copy, host facts, currency and tiers', () => {
    const products = loadProductRegistry(writeProducts(validFile()), {});
    const boost = products.get('kilo_boost')!;
    expect(boost).toMatchObject({ currency: 'EUR', reportsSales: false, impact: null });
    expect(products.monthlyPriceOf(boost, 'boost_29')).toEqual({ minor: 2900, currency: 'EUR' });
    expect(monthlyPriceOf(boost, 'tier_49')).toBeUndefined();
    expect(products.monthlyPriceOf('kilo_pass', 'tier_49')).toBeUndefined();
    const catalog = products.catalogs.get('kilo_boost')!;
    expect(catalog).toMatchObject({ product: 'kilo_boost', events: catalogKinds.payments.events });
    expect(lookupFact(catalog, 'account.plan')?.datatype).toBe('string');
    const program = { ...JSON.parse(JSON.stringify(examplePrograms.kiloPass)), key: 'boost-referrals', product: 'kilo_boost' };
    program.eligibility.push({ subject: 'account.plan', operator: 'eq', value: 'pro' });
    expect(validateProgram(program, catalog).problems).toEqual([]);
    expect(products.impactProducts()).toEqual([]);
    // No cutoff declared: the welcome month is month 1 for everyone.
    expect(boost.welcomePromoLaunchCutoffAt).toBeNull();
  });

  it('normalizes a welcome-promo launch cutoff given with an offset to UTC', () => {
    const products = loadProductRegistry(writeProducts(validFile([{ ...kiloBoost, welcomePromoLaunchCutoffAt: '2026-10-09T02:00:00+02:00' }])), {});
    expect(products.get('kilo_boost')?.welcomePromoLaunchCutoffAt).toBe('2026-10-09T00:00:00.000Z');
  });

  it('is read from PRODUCTS_FILE when no path is given', () => {
    const file = writeProducts(validFile());
    expect(loadProducts(undefined, { PRODUCTS_FILE: file }).map((p) => p.key)).toEqual(['kilo_boost']);
  });

  it.each([
    ['a currency that is not ISO 4217', { ...kiloBoost, currency: 'euro' }, /products\[0\]\.currency must be an ISO 4217 currency code like USD$/],
    ['a price that is not whole minor units', { ...kiloBoost, tiers: { boost_9: 9.5 } }, /products\[0\]\.tiers\.boost_9 must be a whole number of minor units$/],
    ['a negative price', { ...kiloBoost, tiers: { boost_9: -1 } }, /products\[0\]\.tiers\.boost_9 must not be negative$/],
    ['an unknown catalog kind', { ...kiloBoost, catalog: { kind: 'rentals' } }, /products\[0\]\.catalog\.kind must be a catalog kind: payments, lessons$/],
    ['a product key that is not lower_snake_case', { ...kiloBoost, key: 'Kilo-Boost' }, /products\[0\]\.key must be a lower_snake_case product key/],
    ['a misspelt field', { ...kiloBoost, reportSales: true }, /products\[0\] has unknown field "reportSales"$/],
    ['a missing field', { ...kiloBoost, reportsSales: undefined }, /products\[0\]\.reportsSales must be true or false$/],
    ['a welcome-promo launch cutoff that is not an instant', { ...kiloBoost, welcomePromoLaunchCutoffAt: '2026-10-09' }, /products\[0\]\.welcomePromoLaunchCutoffAt must be an ISO 8601 date-time with a zone/],
    ["another product's Impact configuration", { ...kiloBoost, impact: 'kilo_pass' }, /products\[0\]\.impact must be the product's own key "kilo_boost"/],
    [
      'a host fact redefining a fact of its kind',
      { ...kiloBoost, catalog: { kind: 'payments', facts: { 'payment.amount': { datatype: 'int', phases: ['reward'], description: 'A clash.' } } } },
      /products\[0\]\.catalog\.facts "payment\.amount" is already a fact of the payments catalog$/,
    ],
  ])('fails fast with one line naming the field: %s', (_name, product, expected) => {
    const message = failure(validFile([product]));
    expect(message).toMatch(/^PRODUCTS_FILE .*products-\d+\.json: /);
    expect(message).toMatch(expected);
  });

  it('fails fast on a product declared twice, on no product, on a file that is not JSON or not there', () => {
    expect(failure(validFile([kiloBoost, kiloBoost]))).toMatch(/products\[1\]\.key "kilo_boost" is declared twice$/);
    expect(failure(validFile([]))).toMatch(/products must declare at least one product$/);
    expect(failure('{ "products": [')).toMatch(/: is not JSON \(/);
    expect(() => loadProducts(path.join(dir, 'missing.json'))).toThrow(/missing\.json: cannot be read \(ENOENT\)$/);
  });

  it('createProductRegistry refuses two products with one key', () => {
    const [boost] = loadProducts(writeProducts(validFile()));
    expect(() => createProductRegistry([boost!, boost!])).toThrow(new ConfigError('products.kilo_boost', 'is declared twice'));
  });
});
