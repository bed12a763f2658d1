import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_PRODUCTS_FILE } from '@referrals/products';
import { examplePrograms, type ProgramDocument } from '@referrals/rule-dsl';
import { useApiHarness } from './testing/api-harness';

/**
 * A third product added purely by configuration: a products file (PRODUCTS_FILE) that declares
 * `kilo_boost`, a payments product with its own EUR tiers and a host fact, next to the committed
 * products. No code knows kilo_boost; the api serves it end to end over HTTP.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'products-e2e-'));
const productsFile = path.join(dir, 'products.json');
const committed = JSON.parse(readFileSync(DEFAULT_PRODUCTS_FILE, 'utf8')) as { products: unknown[] };
writeFileSync(
  productsFile,
  JSON.stringify({
    products: [
      ...committed.products,
      {
        key: 'kilo_boost',
        catalog: { kind: 'payments', facts: { 'account.plan': { datatype: 'string', phases: ['eligibility'], description: 'The plan of the referee\'s account at signup, as the host reports it.' } } },
        currency: 'EUR',
        tiers: { boost_9: 900, boost_29: 2900 },
        reportsSales: false,
        impact: null,
      },
    ],
  }),
);

const PROGRAM = 'kilo-boost-referrals';
const program: ProgramDocument = {
  ...structuredClone(examplePrograms.kiloPass),
  key: PROGRAM,
  name: 'Kilo Boost referrals',
  product: 'kilo_boost',
  terms: [{ name: 'qualifying_tiers', kind: 'value', description: 'Boost tiers whose first monthly payment qualifies.', datatype: 'list[string]', value: ['boost_9', 'boost_29'] }],
  eligibility: [
    { subject: 'referee.is_new_account', operator: 'is_true' },
    { subject: 'account.plan', operator: 'eq', value: 'pro' },
  ],
};

describe('a product declared only in the products file (kilo_boost), over HTTP', () => {
  const previous = process.env['PRODUCTS_FILE'];
  process.env['PRODUCTS_FILE'] = productsFile;
  const api = useApiHarness();
  afterAll(() => {
    if (previous === undefined) delete process.env['PRODUCTS_FILE'];
    else process.env['PRODUCTS_FILE'] = previous;
  });
  const id = (name: string) => `${name}-${api.run}`;

  it('lists the configured product, its catalog with the host fact, and its tier prices to the admin', async () => {
    const res = await api.get('/v1/admin/products', 'admin').expect(200);
    expect(res.body.products.map((p: { key: string }) => p.key)).toEqual(['kilo_pass', 'tutoring', 'kiloclaw', 'kilo_boost']);
    const boost = res.body.products[3];
    expect(boost).toMatchObject({ key: 'kilo_boost', currency: 'EUR', tiers: { boost_9: 900, boost_29: 2900 }, reportsSales: false, impact: null });
    expect(boost.catalog).toMatchObject({ kind: 'payments', events: ['payment.succeeded'] });
    expect(boost.catalog.facts['account.plan']).toMatchObject({ datatype: 'string', phases: ['eligibility'] });
    expect(boost.catalog.facts['subscription.monthly_price']).toMatchObject({ datatype: 'money' });
  });

  it('saves a program for the new product, validated against its catalog (host fact included)', async () => {
    const unknownFact = { ...program, eligibility: [{ subject: 'account.tier', operator: 'eq', value: 'pro' }] };
    const refused = await api.post('/v1/admin/programs/check', 'admin', { document: unknownFact }).expect(200);
    expect(refused.body).toMatchObject({ ok: false, problems: [expect.objectContaining({ code: 'subject_unknown', path: 'eligibility[0].subject' })] });
    const saved = await api.post('/v1/admin/programs', 'admin', { document: program, author: 'operator:test', changeNote: 'launch Kilo Boost' }).expect(201);
    expect(saved.body.program).toMatchObject({ key: PROGRAM, product: 'kilo_boost', version: 1 });
  });

  it('captures a referral touch and signs the referee up: the referral qualifies with the host fact', async () => {
    const code = `KB${api.run}`.toUpperCase();
    await api.post('/v1/referral-codes', 'storefront', { programKey: PROGRAM, code, userId: id('referrer') }).expect(201);
    const touch = await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: id('anon'), product: 'kilo_boost', programKey: PROGRAM, referralCode: code }).expect(201);
    expect(touch.body.touch).toMatchObject({ status: 'accepted', accepted: true, programKey: PROGRAM });
    const signup = await api
      .post('/v1/signups', 'storefront', { product: 'kilo_boost', userId: id('referee'), anonymousId: id('anon'), email: 'boost-referee@example.com', facts: { account: { plan: 'pro' } } })
      .expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'qualified', programKey: PROGRAM, programVersion: 1, referrerUserId: id('referrer'), refereeUserId: id('referee') });
  });

  it('creates no program referral when the host fact does not match (account.plan is not pro)', async () => {
    const code = `KB2${api.run}`.toUpperCase();
    await api.post('/v1/referral-codes', 'storefront', { programKey: PROGRAM, code, userId: id('referrer-2') }).expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: id('anon-2'), product: 'kilo_boost', programKey: PROGRAM, referralCode: code }).expect(201);
    const signup = await api
      .post('/v1/signups', 'storefront', { product: 'kilo_boost', userId: id('referee-2'), anonymousId: id('anon-2'), email: 'boost-free@example.com', facts: { account: { plan: 'free' } } })
      .expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'no_program', reasons: ['no_program_matched'] });
  });

  it('rewards the first boost_29 payment with half the configured EUR list price to each side, reporting no SALE', async () => {
    const paidAt = new Date().toISOString();
    const res = await api
      .post('/v1/events/payment-succeeded', 'billing', {
        provider: 'stripe',
        sourcePaymentId: id('in'),
        product: 'kilo_boost',
        userId: id('referee'),
        email: 'boost-referee@example.com',
        paidAt,
        amount: { minor: 2900, currency: 'EUR' },
        sequence: 1,
        subscription: { tier: 'boost_29', interval: 'monthly', kind: 'personal', startedAt: paidAt },
      })
      .expect(200);
    expect(res.body.decision).toMatchObject({ code: 'rewarded', programKey: PROGRAM, programVersion: 1 });
    expect(res.body.rewards).toEqual([
      expect.objectContaining({ role: 'referrer', beneficiaryId: id('referrer'), status: 'pending', amountMinor: 1450, unit: 'EUR' }),
      expect.objectContaining({ role: 'referee', beneficiaryId: id('referee'), status: 'pending', amountMinor: 1450, unit: 'EUR' }),
    ]);
    expect(res.body.workflows).toEqual([]);
  });
});
