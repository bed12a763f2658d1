import { outboxMessagesOf } from '@referrals/outbox';
import { verifyLedger } from '@referrals/ledger';
import { workflowIds } from '@referrals/workflows';
import { QueryTypes } from 'sequelize';
import { loadProducts } from '../products';
import { type ApiHarness, useApiHarness } from '../testing/api-harness';
import { createKiloPassProgram, kiloPayment, referKiloPass } from '../testing/kilo-pass-fixtures';

/** Rows of every table a qualifying event writes: a refused event must leave them all as they were. */
async function writtenRows(api: ApiHarness): Promise<Record<string, number>> {
  const tables = ['attribution_conversions', 'ledger_rewards', 'ledger_transactions', 'outbox_messages', 'idempotency_keys'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await api.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`, { type: QueryTypes.SELECT });
    counts[table] = Number(row?.n);
  }
  return counts;
}

describe('rewarding: money comes from the price table (issue 12, item 5)', () => {
  // A product whose maximum per reward is below Kilo Pass's 50% of tier_199 (9950 cents).
  const api = useApiHarness({
    products: loadProducts().map((p) => (p.product === 'kilo_pass' ? { ...p, maxRewardMinor: 5_000 } : p)),
  });
  let referee = '';
  beforeAll(async () => {
    await createKiloPassProgram(api);
    ({ referee } = await referKiloPass(api, 'money'));
  });

  const refused = async (name: string, overrides: Record<string, unknown>, code: string, path: string) => {
    const before = await writtenRows(api);
    const res = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_${name}_${api.run}`, overrides)).expect(422);
    expect(res.body.error).toMatchObject({ code, details: [expect.objectContaining({ path })] });
    expect(await writtenRows(api)).toEqual(before);
  };

  it('refuses a host monthlyPrice that disagrees with the price table (an absurd one too), writing nothing', async () => {
    const subscription = (monthlyPrice: unknown) => ({ subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: new Date().toISOString(), monthlyPrice } });
    await refused('absurd', subscription({ minor: 9007199254740991, currency: 'USD' }), 'monthly_price_mismatch', 'body.subscription.monthlyPrice');
    await refused('cheaper', subscription({ minor: 4800, currency: 'USD' }), 'monthly_price_mismatch', 'body.subscription.monthlyPrice');
  });

  it('refuses a payment in a currency other than the product\'s (a JPY price on a USD program), writing nothing', async () => {
    await refused('jpy', { amount: { minor: 4900, currency: 'JPY' } }, 'currency_mismatch', 'body.amount.currency');
  });

  it('refuses a tier the price table does not list, writing nothing', async () => {
    await refused('tier', { subscription: { tier: 'tier_9999', interval: 'monthly', kind: 'personal', startedAt: new Date().toISOString() } }, 'tier_unknown', 'body.subscription.tier');
  });

  it('refuses a reward above the product\'s maximum per reward, writing nothing', async () => {
    await refused('max', { amount: { minor: 19900, currency: 'USD' }, subscription: { tier: 'tier_199', interval: 'monthly', kind: 'personal', startedAt: new Date().toISOString() } }, 'reward_above_maximum', 'body.subscription.tier');
  });

  it('accepts the price table\'s own price and computes the reward from it', async () => {
    const res = await api
      .post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_ok_${api.run}`, { subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: new Date().toISOString(), monthlyPrice: { minor: 4900, currency: 'USD' } } }))
      .expect(200);
    expect(res.body.rewards.map((r: { amountMinor: number }) => r.amountMinor)).toEqual([2450, 2450]);
  });
});

describe('rewarding: one event, one transaction (issue 12, item 1)', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));

  it('first-qualifying-event: two different first payments of one referral racing give one reward per role', async () => {
    const { referee } = await referKiloPass(api, 'race');
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) => api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_race_${n}_${api.run}`)).expect(200)),
    );
    const codes = answers.map((a) => a.body.decision.code as string).sort();
    expect(codes).toEqual(['not_first_qualifying_event', 'not_first_qualifying_event', 'not_first_qualifying_event', 'rewarded']);
    const [row] = await api.db.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM ledger_rewards WHERE beneficiary_id = $1`, { bind: [referee], type: QueryTypes.SELECT });
    expect(Number(row?.n)).toBe(1);
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('referrer cap: 20 concurrent first payments of one referrer\'s referees give exactly 5 referrer rewards and 15 cap-limited; two relays at once start each SALE report once', async () => {
    const referees = await referSeveral(api, 'cap', 20);
    const answers = await Promise.all(referees.map((referee, i) => api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, `in_cap_${i}_${api.run}`)).expect(200)));
    const referrerStatuses = answers.map((a) => (a.body.rewards as { role: string; status: string }[]).find((r) => r.role === 'referrer')?.status);
    expect(referrerStatuses.filter((s) => s === 'pending')).toHaveLength(5);
    expect(referrerStatuses.filter((s) => s === 'cap_limited')).toHaveLength(15);

    await Promise.all([api.relayOutbox(), api.relayOutbox()]);
    for (let i = 0; i < referees.length; i++) {
      const rows = await outboxMessagesOf(api.db.sequelize, workflowIds.conversionReport(`stripe:in_cap_${i}_${api.run}`));
      expect(rows).toEqual([expect.objectContaining({ outcome: 'started', attempts: 1 })]);
    }
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  }, 60_000);
});

/** `count` referees of ONE referrer, each with a qualified referral. */
async function referSeveral(api: ApiHarness, name: string, count: number): Promise<string[]> {
  const code = `${name}${api.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
  await api.post('/v1/referral-codes', 'storefront', { programKey: 'kilo-pass-referrals', code, userId: `${name}-referrer-${api.run}` }).expect(201);
  const referees: string[] = [];
  for (let i = 0; i < count; i++) {
    const anonymousId = `${name}-anon-${i}-${api.run}`;
    const referee = `${name}-referee-${i}-${api.run}`;
    await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId, product: 'kilo_pass', referralCode: code }).expect(201);
    await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: referee, anonymousId, email: `${name}${i}@example.com` }).expect(200);
    referees.push(referee);
  }
  return referees;
}
