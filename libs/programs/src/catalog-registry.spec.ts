import { lessonsFactCatalog, paymentsFactCatalog, validateProgram } from '@referrals/rule-dsl';
import { catalogKinds, createCatalogRegistry } from './catalog-registry';
import { checkProgram } from './validate-for-save';
import { kiloPass } from './testing/program-fixtures';

describe('createCatalogRegistry', () => {
  it('ships kilo_pass on the payments catalog and tutoring on the lessons catalog', () => {
    const registry = createCatalogRegistry();
    expect(registry.products()).toEqual(['kilo_pass', 'tutoring']);
    expect(registry.get('kilo_pass')).toBe(paymentsFactCatalog);
    expect(registry.get('tutoring')).toBe(lessonsFactCatalog);
    expect(registry.get('kiloclaw')).toBeUndefined();
  });

  it('maps another product to a catalog kind by configuration: its programs validate against it', () => {
    const registry = createCatalogRegistry({ kilo_pass: 'payments', kiloclaw: 'payments', tutoring: 'lessons' });
    const kiloclaw = registry.get('kiloclaw');
    expect(kiloclaw?.product).toBe('kiloclaw');
    expect(kiloclaw?.facts).toEqual(catalogKinds.payments.facts);
    const program = kiloPass({ key: 'kiloclaw-referrals', product: 'kiloclaw' });
    expect(checkProgram(registry, program)).toEqual({ ok: true, program });
    // Against the catalog of another product it would be a product mismatch.
    expect(validateProgram(program, paymentsFactCatalog).ok).toBe(false);
  });

  it('refuses a malformed mapping at startup, listing every mistake', () => {
    expect(() => createCatalogRegistry({ 'Kilo Pass': 'payments', tutoring: 'tutoring' as never })).toThrow(
      expect.objectContaining({
        code: 'catalog_registry_invalid',
        message: expect.stringMatching(/"Kilo Pass" must be a lower_snake_case product key.*"tutoring" maps to unknown catalog kind "tutoring"/),
      }),
    );
  });

  it('checkProgram reports an unknown or missing product alone, at path "product"', () => {
    const registry = createCatalogRegistry();
    expect(checkProgram(registry, { ...kiloPass(), product: 'kiloclaw' })).toEqual({
      ok: false,
      code: 'product_unknown',
      problems: [{ code: 'product_unknown', path: 'product', message: '"kiloclaw" has no fact catalog; known products: kilo_pass, tutoring' }],
    });
    expect(checkProgram(registry, 'not a document')).toMatchObject({ ok: false, code: 'product_unknown' });
  });
});
