import { lessonsFactCatalog } from './catalogs/lessons.catalog';
import { paymentsFactCatalog } from './catalogs/payments.catalog';
import { RuleDslError } from './errors';
import { defineFactCatalog, type FactDeclarations, listFacts, lookupFact } from './fact-catalog';

function mistakesOf(facts: FactDeclarations): string {
  try {
    defineFactCatalog({ product: 'p', events: ['e'], facts });
  } catch (error) {
    if (error instanceof RuleDslError) {
      expect(error.code).toBe('catalog_invalid');
      return error.message;
    }
    throw error;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('defineFactCatalog', () => {
  it('returns a frozen catalog with the declared facts', () => {
    const catalog = defineFactCatalog({
      product: 'shop',
      events: ['order.paid'],
      facts: { 'order.total': { datatype: 'money', phases: ['reward'], description: 'Order total.' } },
    });
    expect(catalog.product).toBe('shop');
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.facts)).toBe(true);
    expect(lookupFact(catalog, 'order.total')).toMatchObject({ path: 'order.total', datatype: 'money' });
  });

  it('rejects paths that are not dotted snake_case', () => {
    expect(mistakesOf({ 'Order.Total': { datatype: 'int', phases: ['reward'], description: 'x' } })).toContain('not a dotted snake_case path');
  });

  it('rejects unknown datatypes and empty or unknown phases', () => {
    const message = mistakesOf({
      a: { datatype: 'float' as never, phases: ['reward'], description: 'x' },
      b: { datatype: 'int', phases: [], description: 'x' },
      c: { datatype: 'int', phases: ['checkout' as never], description: 'x' },
    });
    expect(message).toContain('"a" has unknown datatype');
    expect(message).toContain('"b" must list its phases');
    expect(message).toContain('"c" must list its phases');
  });

  it('rejects a fact nested under another fact, since fact sets are nested objects', () => {
    expect(
      mistakesOf({
        order: { datatype: 'string', phases: ['reward'], description: 'x' },
        'order.total': { datatype: 'int', phases: ['reward'], description: 'x' },
      }),
    ).toContain('"order.total" sits under "order"');
  });

  it('requires clock facts to be required datetimes, and every fact to be described', () => {
    const message = mistakesOf({
      now: { datatype: 'int', phases: ['reward'], clock: true, optional: true, description: ' ' },
    });
    expect(message).toContain('must be a datetime');
    expect(message).toContain('cannot be optional');
    expect(message).toContain('needs a description');
  });
});

describe('lookupFact', () => {
  it('does not find inherited object properties', () => {
    expect(lookupFact(paymentsFactCatalog, 'constructor')).toBeUndefined();
    expect(lookupFact(paymentsFactCatalog, '__proto__')).toBeUndefined();
    expect(lookupFact(paymentsFactCatalog, 'toString')).toBeUndefined();
  });
});

describe('the shipped catalogs', () => {
  it('keep lesson and payment facts out of eligibility', () => {
    expect(lookupFact(lessonsFactCatalog, 'lesson.usd_amount')?.phases).toEqual(['reward']);
    expect(lookupFact(paymentsFactCatalog, 'payment.amount')?.phases).toEqual(['reward']);
    expect(lookupFact(paymentsFactCatalog, 'subscription.tier')?.phases).toEqual(['reward']);
  });

  it('describe the facts the example programs need', () => {
    const lessonPaths = listFacts(lessonsFactCatalog).map((f) => f.path);
    expect(lessonPaths).toEqual(
      expect.arrayContaining(['now', 'advocate.user_id', 'advocate.toggles', 'invitee.user_id', 'invitee.country', 'referral.created_at', 'lesson.usd_amount']),
    );
    const paymentPaths = listFacts(paymentsFactCatalog).map((f) => f.path);
    expect(paymentPaths).toEqual(
      expect.arrayContaining(['subscription.tier', 'subscription.interval', 'subscription.monthly_price', 'payment.amount', 'payment.sequence', 'event.sequence']),
    );
    for (const fact of [...listFacts(lessonsFactCatalog), ...listFacts(paymentsFactCatalog)]) expect(fact.description.length).toBeGreaterThan(10);
  });

  it('declare their trigger events', () => {
    expect(paymentsFactCatalog.events).toContain('payment.succeeded');
    expect(lessonsFactCatalog.events).toContain('lesson.completed');
  });
});
