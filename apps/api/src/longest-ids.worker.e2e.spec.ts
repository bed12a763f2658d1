import { QueryTypes } from 'sequelize';
import { type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { kiloPayment } from './testing/kilo-pass-fixtures';
import { kiloIssuance, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

/**
 * Ids at the longest length the api accepts (200 characters: users, payments, anonymous visitors)
 * travel the whole way: the referral path, the participant registrations and the referral SALE
 * reach Impact, and every delivery record ends `succeeded`. One character more is a 400 naming the
 * field, before anything is written.
 */
describe('ids of the longest accepted length, end to end through the worker and Impact', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;
  // e2e.id appends `-<run>` (9 characters): the referrer's id is then exactly 200 characters long.
  const name = 'x'.repeat(200 - '-referrer'.length - 9);

  it('a 200-character user id and a ~190-character payment id are registered in Advocate and their SALE is reported', async () => {
    expect(e2e.id(`${name}-referrer`)).toHaveLength(200);
    const { referrer, referee } = await referredKiloPassSubscriber(e2e, name);
    expect(referrer).toHaveLength(200);
    expect(referee.length).toBeGreaterThanOrEqual(190);
    const deliveries = await api.get('/v1/admin/ops/deliveries?limit=500', 'admin').expect(200);
    const mine = (deliveries.body.deliveries as { businessId: string; status: string; kind: string }[]).filter((d) => d.businessId.includes(name));
    const byKind = (kind: string) => mine.filter((d) => d.kind === kind).map((d) => d.status);
    expect(byKind('participant_registration')).toEqual(['succeeded', 'succeeded']);
    expect(byKind('referral_sale')).toEqual(['succeeded']);
    // The affiliate SALE of a referral conversion ends suppressed (the referral SALE reports it).
    expect(byKind('affiliate_sale')).toEqual(['suppressed']);

    // A 200-character issuance id: the issuance's workflow claims its one bonus-like item and applies the reward.
    const issuanceId = `${'i'.repeat(200 - 9)}-${api.run}`;
    expect(issuanceId).toHaveLength(200);
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, referee)).expect(202);
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    expect(decided).toMatchObject({ decision: 'referral_bonus', item: { itemKind: 'referral_bonus' } });
  }, 120_000);

  it('an id one character too long is a 400 naming its field, and nothing is written', async () => {
    const count = async () =>
      (await api.db.sequelize.query<{ n: string }>('SELECT count(*)::text AS n FROM attribution_conversions', { type: QueryTypes.SELECT }))[0]!.n;
    const before = await count();
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(e2e.id('too-long'), 'p'.repeat(201))).expect(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.sourcePaymentId' })]));
    expect(await count()).toBe(before);
  });
});
