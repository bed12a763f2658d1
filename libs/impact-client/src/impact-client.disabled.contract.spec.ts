import { type ImpactTestHarness, startImpactTestHarness } from './testing';

/**
 * A product without configuration is disabled: every call answers `disabled` with a clear code,
 * and no request leaves the process. Configuration is never borrowed from another product.
 */

let h: ImpactTestHarness;
beforeAll(async () => {
  // The fake knows both programs; the client is configured for KiloClaw only.
  h = await startImpactTestHarness({ client: { only: ['kiloclaw'] } });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const who = { accountId: 'ada@example.com', userId: 'ada@example.com' };

async function everyCallOf(product: string) {
  const { advocate, performance } = h.client.forProduct(product);
  const conversion = {
    event: 'SALE' as const,
    orderSourceId: 'in_1',
    eventDate: new Date(),
    customerId: 'user-1',
    amountMinor: 1900,
    currencyCode: 'USD',
  };
  return [
    await advocate.upsertParticipant({ id: 'ada@example.com', accountId: 'ada@example.com', email: 'ada@example.com' }),
    await advocate.listRewards(who),
    await advocate.findRewardToRedeem({ ...who, amountMinor: 1999 }),
    await advocate.redeemReward({ rewardId: 'r1', amountMinor: 1999 }),
    await advocate.cancelReward({ rewardId: 'r1' }),
    advocate.createVerifiedAccessToken({ email: 'ada@example.com' }),
    await performance.submitConversion(conversion),
    await performance.reportConversion(conversion),
    await performance.pollSubmission({ queuedUri: '/Advertisers/X/APISubmissions/A-1' }),
    await performance.reverseAction({ actionId: '1.2.3' }, 'REJECTED'),
  ];
}

describe('ImpactClient.forProduct for an unconfigured product', () => {
  it('answers disabled with impact_product_not_configured for every call, and the fake receives zero requests', async () => {
    const outcomes = await everyCallOf('kilo_pass');

    expect(outcomes).toHaveLength(10);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ kind: 'disabled', code: 'impact_product_not_configured', product: 'kilo_pass' });
      expect(outcome.kind === 'disabled' && outcome.message).toContain('kilo_pass');
      expect(outcome.requestId).toEqual(expect.any(String));
    }
    expect(h.fake.requests()).toHaveLength(0);
  });

  it('never falls back to another product’s configuration (Kilo Pass does not use KiloClaw’s)', async () => {
    const kiloPass = h.client.forProduct('kilo_pass');
    expect(kiloPass.advocate.enabled).toBe(false);
    expect(kiloPass.performance.enabled).toBe(false);
    expect(h.client.forProduct('kiloclaw').advocate.enabled).toBe(true);
    expect(h.client.configuredProducts).toEqual(['kiloclaw']);

    await everyCallOf('kilo_pass');
    await everyCallOf('constructor'); // an Object.prototype member is not a product either

    expect(h.fake.requests()).toHaveLength(0);
  });

  it('disables only the missing API when a product configures one of them', async () => {
    const client = h.clientWith((c) => {
      delete c.products?.['kiloclaw']?.performance;
      return c;
    });
    const { advocate, performance } = client.forProduct('kiloclaw');

    const report = await performance.reportConversion({
      event: 'SIGNUP',
      orderSourceId: 'user-1',
      eventDate: new Date(),
      customerId: 'user-1',
    });

    expect(report).toMatchObject({ kind: 'disabled', code: 'impact_performance_not_configured' });
    expect(advocate.enabled).toBe(true);
    expect(h.fake.requests()).toHaveLength(0);
  });
});
