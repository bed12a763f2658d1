import { fakeSaasquatchCookie, type ImpactTestHarness, startImpactTestHarness } from './testing';

/**
 * The whole Kilo Pass path against the fake: register the referrer and the referee (with the
 * referrer's cookie), report the referee's SALE, wait for Advocate's rewards, redeem the referrer's.
 */

const REWARD_DELAY_MS = 150;

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness({ rewardDelayMs: REWARD_DELAY_MS });
});
afterAll(() => h.close());

describe('Kilo Pass referral, end to end', () => {
  it('reports "reward not yet visible" until Advocate creates the rewards, then redeems the referrer’s once', async () => {
    const { advocate, performance } = h.client.forProduct('kilo_pass');
    const referrer = { id: 'referrer@example.com', accountId: 'referrer@example.com', email: 'referrer@example.com' };
    const referee = { id: 'referee@example.com', accountId: 'referee@example.com', email: 'referee@example.com' };

    const registered = await advocate.upsertParticipant({ ...referrer, locale: 'en-US' });
    const code = registered.kind === 'ok' ? registered.value.referralCode : null;
    const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code: code ?? '' });
    const refereeRegistered = await advocate.upsertParticipant({ ...referee, cookies: cookie });
    expect(refereeRegistered).toMatchObject({ kind: 'ok', value: { referredByCode: code } });

    // tier_19 monthly: the referral bonus is 50% of 19.00 USD on each side.
    const sale = await performance.reportConversion({
      event: 'SALE',
      orderSourceId: 'in_kilo_pass_first_payment',
      eventDate: new Date(),
      customerId: 'user-referee',
      customerEmail: referee.email,
      currencyCode: 'USD',
      amountMinor: 1900,
    });
    expect(sale.kind).toBe('ok');

    const tooEarly = await advocate.findRewardToRedeem({ accountId: referrer.accountId, userId: referrer.id, amountMinor: 950 });
    expect(tooEarly).toMatchObject({ kind: 'transient', code: 'reward_not_visible' });

    await h.fake.settle();
    const found = await advocate.findRewardToRedeem({ accountId: referrer.accountId, userId: referrer.id, amountMinor: 950 });
    if (found.kind !== 'ok') throw new Error(`expected a reward, got ${found.kind}`);

    const redeemed = await advocate.redeemReward({ rewardId: found.value.rewardId, amountMinor: 950 });
    expect(redeemed).toMatchObject({ kind: 'ok', value: { creditRedeemed: 9.5, unit: 'USD' } });
    expect(h.fake.redemptions()).toEqual([expect.objectContaining({ rewardId: found.value.rewardId, amount: 9.5 })]);
    expect(h.fake.rewards().filter((r) => r.userId === referee.id)).toHaveLength(1);
  });
});
