import { hashPaymentInstrument } from '@referrals/rewarding';
import pino from 'pino';
import { QueryTypes } from 'sequelize';
import { DEV_PAYMENT_INSTRUMENT_HASH_SECRET } from './config';
import { useApiHarness } from './testing/api-harness';
import { logLineSink } from './testing/log-lines';
import { createKiloPassProgram, kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';

/*
 * Issue 16, the payment-instrument guard (Kilo rules 176-184), through the HTTP API on real
 * PostgreSQL: one welcome promo and one referral conversion per reusable payment instrument. The
 * welcome promo itself (the issuance-bonus workflow) is proven with the worker in
 * payment-instruments.worker.e2e.spec.ts.
 */

describe('payment-instrument guard over HTTP (issue 16, Kilo rules 176-184)', () => {
  const { sink, lines: logLines } = logLineSink();
  const api = useApiHarness({ logger: pino({ level: 'trace' }, sink) });
  beforeAll(() => createKiloPassProgram(api));

  const pay = (body: Record<string, unknown>) => api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
  const summary = async (userId: string) => (await api.get(`/v1/users/${userId}/summary?product=kilo_pass`, 'storefront').expect(200)).body;
  const conversion = async (conversionId: string) => (await api.get(`/v1/admin/conversions/${encodeURIComponent(conversionId)}`, 'admin').expect(200)).body;
  const card = (fingerprint: string) => ({ paymentMethod: { type: 'card', fingerprint } });
  const fp = (name: string) => `fp_${name}_${api.run}`;
  const claims = (fingerprint: string) =>
    api.services.sequelize.query<{ user_id: string | null; method_type: string; source_payment_id: string }>(
      'SELECT user_id, method_type, source_payment_id FROM payment_instrument_claims WHERE product = $1 AND instrument_hash = $2',
      { bind: ['kilo_pass', hashPaymentInstrument(DEV_PAYMENT_INSTRUMENT_HASH_SECRET, 'card', fingerprint)], type: QueryTypes.SELECT },
    );

  it('[176, 177, 184] a positive personal monthly settlement claims its card; the claim holds an HMAC of the fingerprint, never the fingerprint', async () => {
    const fingerprint = fp('first');
    const user = `first-payer-${api.run}`;
    const res = await pay(kiloPayment(user, `in_first_${api.run}`, card(fingerprint)));
    expect(res.body.paymentMethod).toEqual({ check: 'claimed', introductoryBonus: 'not_blocked', message: null });
    expect(await claims(fingerprint)).toEqual([{ user_id: user, method_type: 'card', source_payment_id: `in_first_${api.run}` }]);
    // The same user's renewal with the same card: their own claim, nothing blocked.
    const renewal = await pay(kiloPayment(user, `in_first_renewal_${api.run}`, { ...card(fingerprint), sequence: 2 }));
    expect(renewal.body.paymentMethod).toMatchObject({ check: 'own_claim', introductoryBonus: 'not_blocked' });
  });

  it('[176, 177] a zero-value invoice, a team payment and an annual renewal claim nothing; a first positive personal annual payment does', async () => {
    const fingerprint = fp('notclaiming');
    const zero = await pay(kiloPayment(`zero-${api.run}`, `in_zero_${api.run}`, { ...card(fingerprint), amount: { minor: 0, currency: 'USD' } }));
    const team = await pay(kiloPayment(`team-${api.run}`, `in_team_${api.run}`, { ...card(fingerprint), subscription: { tier: 'tier_49', interval: 'monthly', kind: 'team', startedAt: new Date().toISOString() } }));
    expect([zero.body.paymentMethod.check, team.body.paymentMethod.check]).toEqual(['not_claiming', 'not_claiming']);
    expect(await claims(fingerprint)).toEqual([]);

    const annualUser = `annual-${api.run}`;
    const annual = (id: string, paidAt: string) =>
      kiloPayment(annualUser, id, { ...card(fingerprint), paidAt, amount: { minor: 49000, currency: 'USD' }, subscription: { id: 'sub_year', tier: 'tier_49', interval: 'yearly', kind: 'personal', startedAt: paidAt } });
    const first = await pay(annual(`in_annual_${api.run}`, new Date(Date.now() - 2_000).toISOString()));
    expect(first.body.paymentMethod.check).toBe('claimed');
    expect(await claims(fingerprint)).toEqual([expect.objectContaining({ user_id: annualUser, source_payment_id: `in_annual_${api.run}` })]);
    // The annual renewal, paid with another card, claims nothing: only the first positive annual payment does.
    const renewal = await pay({ ...annual(`in_annual_renewal_${api.run}`, new Date().toISOString()), ...card(fp('renewal')), sequence: 2 });
    expect(renewal.body.paymentMethod.check).toBe('not_claiming');
    expect(await claims(fp('renewal'))).toEqual([]);
  });

  it('[179, 181, 183] a referee paying with a card another account claimed (a shared household card) is not an eligible conversion: nobody is rewarded, the reason is on the referral and the conversion, the answers name neither the card nor the account', async () => {
    const fingerprint = fp('household');
    const owner = `household-owner-${api.run}`;
    await pay(kiloPayment(owner, `in_household_owner_${api.run}`, card(fingerprint)));
    const { referee, referrer } = await referKiloPass(api, 'household');
    const conversionId = `stripe:in_household_${api.run}`;
    const res = await pay(kiloPayment(referee, `in_household_${api.run}`, card(fingerprint)));
    expect(res.body.decision).toMatchObject({ code: 'payment_instrument_already_claimed', reasons: ['payment_instrument_already_claimed'] });
    expect(res.body.rewards).toEqual([]);
    expect(res.body.paymentMethod).toEqual({
      check: 'already_claimed',
      introductoryBonus: 'does_not_apply',
      message: 'The introductory bonus does not apply: this payment method has already been used for it.',
    });
    const view = await summary(referee);
    expect(view.referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['payment_instrument_already_claimed'] });
    expect(view.introductoryBonus).toEqual({ applies: 'does_not_apply', message: expect.stringContaining('introductory bonus does not apply') });
    expect((await conversion(conversionId)).outcome).toMatchObject({ decisionCode: 'payment_instrument_already_claimed', rewarded: false, reasons: ['payment_instrument_already_claimed'] });
    expect((await summary(referrer)).rewards).toEqual([]);
    for (const answer of [JSON.stringify(res.body), JSON.stringify(view)]) {
      expect(answer).not.toContain(fingerprint);
      expect(answer).not.toContain(owner);
    }
    // The owner's own storefront view is not blocked.
    expect((await summary(owner)).introductoryBonus).toEqual({ applies: 'not_blocked', message: null });
  });

  it('[178] only the first positive monthly settlement decides the introductory bonus: a later payment with a card another account claimed changes nothing', async () => {
    const spouse = `spouse-${api.run}`;
    await pay(kiloPayment(spouse, `in_spouse_${api.run}`, card(fp('spouse'))));
    const user = `own-card-${api.run}`;
    // The first payment reported no method (a host before the guard); the renewal reports the spouse's card.
    await pay(kiloPayment(user, `in_own_${api.run}`, { paidAt: new Date(Date.now() - 1_000).toISOString() }));
    const later = await pay(kiloPayment(user, `in_own_renewal_${api.run}`, { ...card(fp('spouse')), sequence: 2 }));
    expect(later.body.paymentMethod.check).toBe('already_claimed');
    expect((await summary(user)).introductoryBonus).toEqual({ applies: 'not_blocked', message: null });
  });

  it('[180] a method without a reusable fingerprint (paypal) or a card sent without one is not disqualified for that: the referral rewards both sides', async () => {
    for (const [name, paymentMethod] of [['paypal', { type: 'paypal' }], ['nofp', { type: 'card' }]] as const) {
      const { referee } = await referKiloPass(api, name);
      const res = await pay(kiloPayment(referee, `in_${name}_${api.run}`, { paymentMethod }));
      expect(res.body.paymentMethod.check).toBe(name === 'paypal' ? 'not_reusable' : 'no_fingerprint');
      expect(res.body.decision).toMatchObject({ code: 'rewarded', reasons: [] });
      expect(res.body.rewards.map((r: { role: string }) => r.role).sort()).toEqual(['referee', 'referrer']);
    }
  });

  it('[180] a settlement whose method billing could not resolve is not eligible: payment_instrument_unresolved is recorded on the referral and the conversion', async () => {
    const { referee } = await referKiloPass(api, 'unresolved');
    const res = await pay(kiloPayment(referee, `in_unresolved_${api.run}`, { paymentMethod: { type: 'unknown' } }));
    expect(res.body.decision).toMatchObject({ code: 'payment_instrument_unresolved', reasons: ['payment_instrument_unresolved'] });
    expect(res.body.rewards).toEqual([]);
    expect((await summary(referee)).referral).toMatchObject({ conversionState: 'not_rewarded', conversionReasons: ['payment_instrument_unresolved'] });
    expect((await conversion(`stripe:in_unresolved_${api.run}`)).outcome).toMatchObject({ decisionCode: 'payment_instrument_unresolved', reasons: ['payment_instrument_unresolved'] });
  });

  it('a malformed payment method is a 400 naming the field, before anything is written', async () => {
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(`bad-${api.run}`, `in_bad_${api.run}`, { paymentMethod: { type: 'Card!', fingerprint: '' } })).expect(400);
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.paymentMethod.type', 'body.paymentMethod.fingerprint']));
    expect(JSON.stringify(await api.services.attribution.listSubscriptionPayments({ product: 'kilo_pass', userId: `bad-${api.run}` }))).toBe('[]');
  });

  it('[182, 184] the claim survives a refund, a chargeback, a fraud mark and the owner\'s erasure (the user reference goes, the claim stays)', async () => {
    const fingerprint = fp('survives');
    const owner = `survivor-${api.run}`;
    await pay(kiloPayment(owner, `in_survivor_${api.run}`, card(fingerprint)));
    for (const kind of ['refund', 'chargeback', 'fraud_mark'] as const) {
      await api
        .post('/v1/events/adverse-payment', 'billing', { noticeId: `n_${kind}_${api.run}`, provider: 'stripe', sourcePaymentId: `in_survivor_${api.run}`, product: 'kilo_pass', kind, occurredAt: new Date().toISOString() })
        .expect(200);
    }
    const { referee: afterRefund } = await referKiloPass(api, 'afterrefund');
    expect((await pay(kiloPayment(afterRefund, `in_afterrefund_${api.run}`, card(fingerprint)))).body.decision.code).toBe('payment_instrument_already_claimed');

    // The owner is erased through the admin endpoint: the user reference leaves the claim, the claim stays.
    const erased = await api.post(`/v1/admin/users/${owner}/erase`, 'admin', { requestedBy: 'operator:dpo', reason: 'data subject request' }).expect(200);
    expect(erased.body.tables['payment_instrument_claims']).toEqual({ deleted: 0, anonymized: 1 });
    expect(await claims(fingerprint)).toEqual([{ user_id: null, method_type: 'card', source_payment_id: `in_survivor_${api.run}` }]);
    const { referee: afterErasure } = await referKiloPass(api, 'aftererasure');
    const res = await pay(kiloPayment(afterErasure, `in_aftererasure_${api.run}`, card(fingerprint)));
    expect(res.body.decision).toMatchObject({ code: 'payment_instrument_already_claimed', reasons: ['payment_instrument_already_claimed'] });
    // Anything but nulling the owner is refused by the table itself.
    await expect(api.services.sequelize.query('DELETE FROM payment_instrument_claims')).rejects.toThrow(/immutable/);
    await expect(api.services.sequelize.query("UPDATE payment_instrument_claims SET method_type = 'sepa_debit'")).rejects.toThrow(/immutable/);
  });

  it('[170, 179, 181] twenty referred accounts paying their first invoice with one card at once: one claim, exactly one eligible conversion rewarded', async () => {
    const fingerprint = fp('race');
    const referees = await Promise.all(Array.from({ length: 20 }, (_, i) => referKiloPass(api, `race${i}`)));
    const answers = await Promise.all(referees.map(({ referee }, i) => pay(kiloPayment(referee, `in_race_${i}_${api.run}`, card(fingerprint)))));
    const codes = answers.map((a) => a.body.decision.code as string);
    expect(codes.filter((c) => c === 'rewarded')).toHaveLength(1);
    expect(codes.filter((c) => c === 'payment_instrument_already_claimed')).toHaveLength(19);
    expect(answers.map((a) => a.body.paymentMethod.check).sort()).toEqual(['claimed', ...Array<string>(19).fill('already_claimed')].sort());
    expect(await claims(fingerprint)).toHaveLength(1);
    const rewarded = await api.services.sequelize.query<{ n: string }>(
      `SELECT count(DISTINCT source_conversion_id) AS n FROM ledger_rewards WHERE source_conversion_id LIKE $1`,
      { bind: [`stripe:in_race_%_${api.run}`], type: QueryTypes.SELECT },
    );
    expect(Number(rewarded[0]?.n)).toBe(1);
  });

  it('[168, 184] the fingerprints never reach the logs or any table, only their HMAC', async () => {
    const fingerprints = ['first', 'notclaiming', 'renewal', 'household', 'spouse', 'survives', 'race'].map(fp);
    expect(logLines.length).toBeGreaterThan(0);
    for (const fingerprint of fingerprints) expect(logLines.join('\n')).not.toContain(fingerprint);
    const tables = await api.services.sequelize.query<{ name: string }>(
      "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      { type: QueryTypes.SELECT },
    );
    expect(tables.map((t) => t.name)).toContain('payment_instrument_claims');
    for (const { name: table } of tables) {
      const [row] = await api.services.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" t WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) f WHERE strpos(to_jsonb(t)::text, f) > 0)`, {
        bind: [fingerprints],
        type: QueryTypes.SELECT,
      });
      expect({ table, rows: Number(row?.n) }).toEqual({ table, rows: 0 });
    }
  });
});
