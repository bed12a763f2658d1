import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProductRegistry } from '@referrals/products';
import { checkProgram } from './validate-for-save';
import { kiloPass, productCatalogs } from './testing/program-fixtures';

describe('the catalog registry (the products registry\'s catalogs)', () => {
  it('knows the products of the products file, each on its catalog kind', () => {
    const registry = productCatalogs();
    expect(registry.products()).toEqual(['kilo_pass', 'kiloclaw', 'tutoring']);
    expect(registry.get('kilo_pass')).toMatchObject({ product: 'kilo_pass', events: ['payment.succeeded'] });
    expect(registry.get('tutoring')).toMatchObject({ product: 'tutoring', events: ['lesson.completed'] });
    expect(registry.get('kilo_boost')).toBeUndefined();
  });

  it('validates the programs of a product added only in a products file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'programs-')), 'products.json');
    writeFileSync(file, JSON.stringify({ products: [{ key: 'kiloclaw', catalog: { kind: 'payments' }, currency: 'USD', tiers: { claw_10: 1000 }, reportsSales: true, impact: 'kiloclaw' }] }));
    const registry = loadProductRegistry(file, {}).catalogs;
    const program = kiloPass({ key: 'kiloclaw-referrals', product: 'kiloclaw' });
    expect(checkProgram(registry, program)).toEqual({ ok: true, program });
    // The same document under a product the file does not declare is unknown.
    expect(checkProgram(registry, kiloPass())).toMatchObject({ ok: false, code: 'product_unknown' });
  });

  it('checkProgram reports an unknown or missing product alone, at path "product"', () => {
    const registry = productCatalogs();
    expect(checkProgram(registry, { ...kiloPass(), product: 'kilo_boost' })).toEqual({
      ok: false,
      code: 'product_unknown',
      problems: [{ code: 'product_unknown', path: 'product', message: '"kilo_boost" has no fact catalog; known products: kilo_pass, kiloclaw, tutoring' }],
    });
    expect(checkProgram(registry, 'not a document')).toMatchObject({ ok: false, code: 'product_unknown' });
  });
});
