import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { buildHarness, failure, type Harness, tableCounts, uid } from './testing/attribution-fixtures';

const T0 = '2026-03-01T10:00:00.000Z';

describe('conversion eligibility marks (Kilo rules 69, 173)', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;
  beforeAll(() => {
    h = buildHarness(db.sequelize, T0);
  });

  it('records who marked a conversion eligible, why and when; the first mark stands', async () => {
    const key = { provider: 'stripe', sourceId: uid('in') };
    const first = await h.attribution.markConversionEligible({ key, operator: 'alice@example.com', reason: 'SUP-1' });
    expect(first).toEqual({ replayed: false, mark: { ...key, operator: 'alice@example.com', reason: 'SUP-1', markedAt: new Date(T0) } });
    const second = await h.attribution.markConversionEligible({ key, operator: 'bob@example.com', reason: 'other' });
    expect(second).toEqual({ replayed: true, mark: first.mark });
    expect(await h.attribution.eligibilityMark(key)).toEqual(first.mark);
    expect(await h.attribution.eligibilityMark({ provider: 'stripe', sourceId: uid('in') })).toBeNull();
  });

  it('refuses to mark a conversion already recorded (it is never decided again), writing nothing', async () => {
    const key = { provider: 'stripe', sourceId: uid('in') };
    await h.attribution.recordConversion({ ...key, product: 'kilo_pass', userId: uid('user'), conversionTime: T0 });
    const before = await tableCounts(db.sequelize);
    const error = await failure(h.attribution.markConversionEligible({ key, operator: 'alice@example.com', reason: 'late' }));
    expect(error.code).toBe('conversion_already_recorded');
    expect(await tableCounts(db.sequelize)).toEqual(before);
  });

  it('refuses an empty operator or reason with input_invalid naming the field', async () => {
    const error = await failure(h.attribution.markConversionEligible({ key: { provider: 'stripe', sourceId: uid('in') }, operator: ' ', reason: 'x' }));
    expect(error).toMatchObject({ code: 'input_invalid', issues: [expect.objectContaining({ path: 'operator' })] });
  });
});
