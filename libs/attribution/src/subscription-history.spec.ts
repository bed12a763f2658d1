import { useTestDatabase } from '@referrals/db/testing';
import { runWritesTogether } from '@referrals/sql';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { buildHarness, DAY_MS, failure, type Harness, uid } from './testing/attribution-fixtures';

const T0 = '2026-03-01T10:00:00.000Z';
const at = (offsetMs: number) => new Date(new Date(T0).getTime() + offsetMs).toISOString();

describe('subscription history (Kilo rules 99, 100)', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(() => {
    h = buildHarness(db.sequelize, T0);
  });

  const payment = (userId: string, overrides: Record<string, unknown> = {}) => ({
    provider: 'stripe',
    sourcePaymentId: uid('in'),
    product: 'kilo_pass',
    userId,
    tier: 'tier_49',
    interval: 'monthly',
    kind: 'personal',
    startedAt: at(0),
    paidAt: at(0),
    sequence: 1,
    amountMinor: 4900,
    currency: 'USD',
    ...overrides,
  });
  const record = (input: ReturnType<typeof payment>) =>
    db.sequelize.transaction((transaction) => h.attribution.recordSubscriptionPayment(input, { transaction }));

  it('a first subscription has nothing earlier; its renewals (same subscription) neither', async () => {
    const userId = uid('user');
    expect(await record(payment(userId, { subscriptionId: 'sub_1' }))).toEqual({ earlierSubscription: null });
    expect(await record(payment(userId, { subscriptionId: 'sub_1', paidAt: at(30 * DAY_MS), sequence: 2 }))).toEqual({ earlierSubscription: null });
  });

  it('an annual subscription, then a new monthly one sent with sequence 1: the annual one is earlier', async () => {
    const userId = uid('user');
    await record(payment(userId, { interval: 'yearly', amountMinor: 49000 }));
    const verdict = await record(payment(userId, { startedAt: at(DAY_MS), paidAt: at(DAY_MS), sequence: 1 }));
    expect(verdict).toEqual({ earlierSubscription: { source: 'recorded', subscriptionKey: `yearly@${at(0)}`, interval: 'yearly', startedAt: new Date(at(0)) } });
  });

  it('a later subscription of the user does not make an earlier one ineligible; other users and products do not count', async () => {
    const userId = uid('user');
    await record(payment(userId, { subscriptionId: 'later', startedAt: at(DAY_MS), paidAt: at(DAY_MS) }));
    await record(payment(uid('other'), { subscriptionId: 'other' }));
    // Recorded late (out of order), the first subscription still has nothing before it.
    expect(await record(payment(userId, { subscriptionId: 'first', startedAt: at(0), paidAt: at(0) }))).toEqual({ earlierSubscription: null });
    const fresh = uid('user');
    expect(await record(payment(fresh, { subscriptionId: 'x', product: 'tutoring' }))).toEqual({ earlierSubscription: null });
    expect(await record(payment(fresh, { subscriptionId: 'y', startedAt: at(DAY_MS), paidAt: at(DAY_MS) }))).toEqual({ earlierSubscription: null });
  });

  it('the host can state earlier history the engine never saw', async () => {
    expect(await record(payment(uid('user'), { hostStatesEarlier: true }))).toEqual({ earlierSubscription: { source: 'host' } });
  });

  it('records every payment once (a replay of the same payment id writes nothing) and lists them oldest first', async () => {
    const userId = uid('user');
    const first = payment(userId, { interval: 'yearly' });
    await record(first);
    await record(first);
    await record(payment(userId, { startedAt: at(DAY_MS), paidAt: at(DAY_MS) }));
    const listed = await h.attribution.listSubscriptionPayments({ product: 'kilo_pass', userId });
    expect(listed.map((p) => [p.sourcePaymentId, p.interval, p.amountMinor, p.hostStatedEarlier])).toEqual([
      [first.sourcePaymentId, 'yearly', 4900, false],
      [expect.any(String), 'monthly', 4900, false],
    ]);
  });

  it('refuses malformed input with input_invalid naming the field, writing nothing', async () => {
    const error = await failure(record(payment(uid('user'), { sequence: 0 })));
    expect(error).toMatchObject({ code: 'input_invalid', issues: [expect.objectContaining({ path: 'sequence' })] });
  });
});

describe('conversion outcomes (Kilo error handling 6, rule 172)', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(() => {
    h = buildHarness(db.sequelize, T0);
  });

  it('records one outcome per conversion (the first stands), lists the not-rewarded ones and reads them back', async () => {
    const userId = uid('user');
    const { conversion } = await h.attribution.recordConversion({ provider: 'stripe', sourceId: uid('in'), product: 'kilo_pass', userId, conversionTime: at(0) });
    const input = { conversionId: conversion.id, referralId: null, decisionCode: 'not_attributed_to_referral', rewarded: false, reasons: ['no_valid_referral_touch', 'no_valid_referral_touch'] };
    const recorded = await db.sequelize.transaction((transaction) => h.attribution.recordConversionOutcome(input, { transaction }));
    expect(recorded).toMatchObject({ conversionId: conversion.id, conversionKey: `stripe:${conversion.sourceId}`, decisionCode: 'not_attributed_to_referral', rewarded: false, reasons: ['no_valid_referral_touch'] });
    const again = await db.sequelize.transaction((transaction) => h.attribution.recordConversionOutcome({ ...input, decisionCode: 'rewarded', rewarded: true }, { transaction }));
    expect(again).toEqual(recorded);
    expect(await h.attribution.conversionOutcome(conversion.id)).toEqual(recorded);
    // Only outcomes with a referral are listed for ops.
    expect((await h.attribution.listConversionOutcomes({ rewarded: false })).map((o) => o.conversionId)).not.toContain(conversion.id);
  });

  it('a new conversion\'s outcome, written with the caller\'s last writes, reads back as the outcome it announced', async () => {
    const userId = uid('user');
    const { conversion, replayed } = await h.attribution.recordConversion({ provider: 'stripe', sourceId: uid('in'), product: 'kilo_pass', userId, conversionTime: at(0) });
    expect(replayed).toBe(false);
    const input = { conversionId: conversion.id, referralId: null, decisionCode: 'not_attributed_to_referral', rewarded: false, reasons: ['no_valid_referral_touch', 'no_valid_referral_touch'] };
    const { write, outcome } = h.attribution.newConversionOutcomeWrite(input, { provider: 'stripe', sourceId: conversion.sourceId });
    expect(await h.attribution.conversionOutcome(conversion.id)).toBeNull();
    await db.sequelize.transaction((t) => runWritesTogether(db.sequelize, t, [write]));
    expect(outcome).toMatchObject({ conversionKey: `stripe:${conversion.sourceId}`, reasons: ['no_valid_referral_touch'] });
    expect(await h.attribution.conversionOutcome(conversion.id)).toEqual(outcome);
    // Written twice, it fails (a conversion recorded before goes through recordConversionOutcome, where the first stands).
    await expect(db.sequelize.transaction((t) => runWritesTogether(db.sequelize, t, [write]))).rejects.toMatchObject({ code: '23505' });
  });

  it('refuses a reason that is not a snake_case code', async () => {
    const error = await failure(
      db.sequelize.transaction((transaction) =>
        h.attribution.recordConversionOutcome({ conversionId: '1', referralId: null, decisionCode: 'x', rewarded: false, reasons: ['Not A Code'] }, { transaction }),
      ),
    );
    expect(error).toMatchObject({ code: 'input_invalid', issues: [expect.objectContaining({ path: 'reasons[0]' })] });
  });
});
