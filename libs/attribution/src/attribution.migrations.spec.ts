import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateDown, migrateUp } from '@referrals/db';
import { createTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, kiloPass } from './testing/attribution-fixtures';

async function tables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'attribution_%' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

/** Touches, a signup, a referral, a conversion and a sale attribution: every table holds rows. */
async function fill(sequelize: Sequelize): Promise<void> {
  const h = buildHarness(sequelize, '2026-01-05T10:00:00.000Z');
  await h.programs.save({ document: kiloPass(), author: AUTHOR, changeNote: 'Launch' });
  await h.attribution.registerReferralCode({ programKey: 'kilo-pass-referrals', code: 'JANE10', userId: 'jane' });
  await h.attribution.recordAccountDeletion({ email: 'gone@example.com' });
  await h.attribution.captureTouch({ kind: 'referral', anonymousId: 'a1', product: 'kilo_pass', referralCode: 'JANE10' });
  await h.attribution.recordSignup({ product: 'kilo_pass', userId: 'u1', anonymousId: 'a1', email: 'u1@example.com' });
  await h.attribution.captureTouch({ kind: 'affiliate', userId: 'u2', product: 'kilo_pass', clickId: 'c' });
  await h.attribution.recordConversion({ provider: 'stripe', sourceId: 'pi_1', product: 'kilo_pass', userId: 'u1', conversionTime: '2026-01-06T00:00:00Z' });
  await h.attribution.recordConversion({ provider: 'stripe', sourceId: 'pi_2', product: 'kilo_pass', userId: 'u2', conversionTime: '2026-01-06T00:00:00Z' });
  if ((await paymentInstrumentTables(sequelize)).length === 0) return;
  const claim = { product: 'kilo_pass', userId: 'u1', methodType: 'card', unresolved: false, reusable: true, instrumentHash: 'a'.repeat(64), amountMinor: 4900, interval: 'monthly', kind: 'personal', paidAt: '2026-01-06T00:00:00Z' };
  await sequelize.transaction(async (t) => {
    await h.attribution.recordPaymentInstrument({ ...claim, provider: 'stripe', sourcePaymentId: 'pi_1' }, { transaction: t });
    await h.attribution.recordPaymentInstrument({ ...claim, provider: 'stripe', sourcePaymentId: 'pi_2', userId: 'u2' }, { transaction: t });
  });
}

async function paymentInstrumentTables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'payment_instrument_%' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

describe('attribution migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'attribution_migrations', migrate: false });
  }, 60_000);
  afterAll(async () => {
    await db.drop();
  });

  const sources = [programsMigrations, attributionMigrations];

  it('run after the programs migrations, in timestamp order', async () => {
    expect(await migrateUp(db.sequelize, sources)).toEqual([
      'programs/202611211200-create-programs',
      'attribution/202611211210-create-attribution-touches',
      'attribution/202611211220-create-attribution-referrals',
      'attribution/202611211230-create-attribution-conversions',
      'attribution/202612031100-referral-reason-signup-before-touch',
      'attribution/202612031200-create-attribution-subscription-payments',
      'attribution/202612031210-create-attribution-conversion-outcomes',
      'attribution/202612031230-create-attribution-conversion-eligibility-marks',
      'programs/202612031300-programs-retired-status',
      'attribution/202612031600-create-payment-instrument-claims',
      'attribution/202612031700-attribution-user-erasure-and-retention',
    ]);
    expect(await paymentInstrumentTables(db.sequelize)).toEqual(['payment_instrument_claims', 'payment_instrument_uses']);
    expect(await tables(db.sequelize)).toEqual([
      'attribution_conversion_eligibility_marks',
      'attribution_conversion_outcomes',
      'attribution_conversions',
      'attribution_deleted_accounts',
      'attribution_referral_codes',
      'attribution_referrals',
      'attribution_signups',
      'attribution_subscription_payments',
      'attribution_touches',
      'attribution_user_erasures',
    ]);
  });

  it('go down step by step with data in every table, and up again', async () => {
    await fill(db.sequelize);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031700-attribution-user-erasure-and-retention']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031600-create-payment-instrument-claims']);
    expect(await paymentInstrumentTables(db.sequelize)).toEqual([]);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['programs/202612031300-programs-retired-status']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031230-create-attribution-conversion-eligibility-marks']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031210-create-attribution-conversion-outcomes']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031200-create-attribution-subscription-payments']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202612031100-referral-reason-signup-before-touch']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202611211230-create-attribution-conversions']);
    expect(await migrateDown(db.sequelize, sources)).toEqual(['attribution/202611211220-create-attribution-referrals']);
    expect(await tables(db.sequelize)).toEqual(['attribution_touches']);
    expect(await migrateDown(db.sequelize, sources, { to: 0 })).toHaveLength(2);
    expect(await tables(db.sequelize)).toEqual([]);
    const functions = await db.sequelize.query("SELECT proname FROM pg_proc WHERE proname LIKE 'attribution_%'", { type: QueryTypes.SELECT });
    expect(functions).toEqual([]);
    expect(await migrateUp(db.sequelize, sources)).toHaveLength(11);
    await fill(db.sequelize);
  });
});
