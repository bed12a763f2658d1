import { listRewards, verifyLedger } from '@referrals/ledger';
import { type DeliveryResult, type IssuanceBonusResult, issuanceBonusStateQuery, workflowIds } from '@referrals/workflows';
import { eventually, kiloIssuance, referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';

const DAY_MS = 86_400_000;
/** Kilo Pass's welcome-promo launch cutoff, as config/products.json declares it. */
const CUTOFF = '2026-10-09T00:00:00.000Z';
const BEFORE_CUTOFF = '2026-10-01T00:00:00.000Z';
const AFTER_CUTOFF = CUTOFF;

/**
 * Issue 13 items 1-4 end to end: Kilo Pass issuances and the welcome promo over HTTP (billing's
 * `issuance-created` and `usage-threshold-crossed`), the real worker process deciding, PostgreSQL
 * holding the items and the recorded outcome, which `GET /v1/issuances/{id}` answers. Kilo Pass
 * rule numbers in brackets.
 */
describe('Kilo Pass issuances and the welcome promo end to end (issue 13 items 1-4)', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;

  /** What the api answers for an issuance (read from PostgreSQL). */
  const outcomeOf = async (issuanceId: string) => (await api.get(`/v1/issuances/${issuanceId}`, 'billing').expect(200)).body;

  /**
   * One issuance over the api, decided by the worker; with `usage`, the usage threshold is
   * signalled too (an issuance that gets neither the promo nor a referral bonus waits for it).
   */
  async function issue(issuanceId: string, subscriberId: string, facts: Record<string, unknown>, usage = false) {
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriberId, facts)).expect(202);
    if (usage) {
      await api
        .post('/v1/events/usage-threshold-crossed', 'billing', { issuanceId, subscriberId, product: 'kilo_pass', crossedAt: new Date(Date.now() + 2_000).toISOString() })
        .expect(202);
    }
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    const outcome = await outcomeOf(issuanceId);
    // The api's answer is the workflow's decision, recorded in PostgreSQL.
    expect(outcome).toMatchObject({ issuanceId, subscriberId, status: 'decided', decision: decided.decision, reason: decided.reason });
    return outcome;
  }

  const rewardStatus = async (rewardId: string) => (await api.get(`/v1/admin/rewards/${rewardId}`, 'admin').expect(200)).body.reward;
  const firstTime = (issuanceNumber: number, subscriberStartedAt: string) => ({ issuanceNumber, firstTimeSubscriber: true, subscriberStartedAt });

  afterEach(async () => {
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('[123, 115] a pending referral reward is never consumed by the beneficiary\'s welcome-month issuance, for the referee and the referrer alike; it stays pending for the next eligible issuance', async () => {
    const { referrer, referee, refereeReward } = await referredKiloPassSubscriber(e2e, 'welcome');
    const [referrerReward] = await listRewards(api.db.sequelize, { beneficiaryId: referrer });
    expect(referrerReward).toMatchObject({ status: 'pending', role: 'referrer' });

    // The referee started at or after the cutoff: month 1 is not their welcome month, but it is the
    // issuance their converting payment paid for, which their reward never applies to [123].
    const refereeFirst = await issue(e2e.id('welcome-referee-1'), referee, firstTime(1, AFTER_CUTOFF), true);
    expect(refereeFirst).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus' }, consumedReward: null });
    expect(await rewardStatus(refereeReward.id)).toMatchObject({ status: 'pending' });
    // Month 2 is their welcome month.
    const refereeWelcome = await issue(e2e.id('welcome-referee-2'), referee, firstTime(2, AFTER_CUTOFF));
    expect(refereeWelcome).toMatchObject({ decision: 'welcome_promo', item: { itemKind: 'promo_first_month_50pct', rewardId: null }, consumedReward: null });
    expect(refereeWelcome.reason).toContain('welcome-month issuance of a first-time monthly subscriber: month 2');
    expect(refereeWelcome.reason).toContain('the welcome-month issuance never consumes a referral reward [123, 115]');
    expect(await rewardStatus(refereeReward.id)).toMatchObject({ status: 'pending', consumedByIssuanceId: null });

    // The referrer started before the cutoff: month 1 is their welcome month.
    const referrerWelcome = await issue(e2e.id('welcome-referrer-1'), referrer, firstTime(1, BEFORE_CUTOFF));
    expect(referrerWelcome).toMatchObject({ decision: 'welcome_promo', item: { itemKind: 'promo_first_month_50pct' }, consumedReward: null });
    expect(await rewardStatus(referrerReward!.id)).toMatchObject({ status: 'pending' });

    // The next monthly issuance of each consumes the pending reward, untouched welcome promo aside.
    const refereeNext = await issue(e2e.id('welcome-referee-3'), referee, firstTime(3, AFTER_CUTOFF));
    expect(refereeNext).toMatchObject({
      decision: 'referral_bonus',
      item: { itemKind: 'referral_bonus', rewardId: refereeReward.id },
      consumedReward: { id: refereeReward.id, role: 'referee', status: 'applied', amountMinor: 2450, consumedByIssuanceId: e2e.id('welcome-referee-3') },
    });
    const referrerNext = await issue(e2e.id('welcome-referrer-2'), referrer, firstTime(2, BEFORE_CUTOFF));
    expect(referrerNext).toMatchObject({ decision: 'referral_bonus', consumedReward: { id: referrerReward!.id, role: 'referrer', status: 'applied' } });
    // The welcome promos stand as they were.
    expect((await outcomeOf(e2e.id('welcome-referee-2'))).item).toMatchObject({ itemKind: 'promo_first_month_50pct' });
    expect((await outcomeOf(e2e.id('welcome-referrer-1'))).item).toMatchObject({ itemKind: 'promo_first_month_50pct' });
    for (const rewardId of [refereeReward.id, referrerReward!.id]) {
      expect(await e2e.result<DeliveryResult>(workflowIds.rewardRedemption(rewardId))).toMatchObject({ status: 'succeeded' });
    }
  }, 180_000);

  it('[132] first-time monthly subscribers who started before the launch cutoff get the welcome promo in month 1 only, those at or after it in month 2 only; returning subscribers never (normal monthly ramp)', async () => {
    const cases: { name: string; facts: Record<string, unknown>; promo: boolean; why: string }[] = [
      { name: 'before-1', facts: firstTime(1, BEFORE_CUTOFF), promo: true, why: `month 1 (started before the launch cutoff ${CUTOFF})` },
      { name: 'before-2', facts: firstTime(2, BEFORE_CUTOFF), promo: false, why: 'issuance 2 is not the welcome month, which is month 1' },
      { name: 'after-1', facts: firstTime(1, AFTER_CUTOFF), promo: false, why: 'issuance 1 is not the welcome month, which is month 2' },
      { name: 'after-2', facts: firstTime(2, new Date(Date.now() - 40 * DAY_MS).toISOString()), promo: true, why: `month 2 (started at or after the launch cutoff ${CUTOFF})` },
      { name: 'returning-1', facts: { issuanceNumber: 1, firstTimeSubscriber: false, subscriberStartedAt: BEFORE_CUTOFF }, promo: false, why: 'returning subscriber' },
      { name: 'returning-2', facts: { issuanceNumber: 2, firstTimeSubscriber: false, subscriberStartedAt: AFTER_CUTOFF }, promo: false, why: 'returning subscriber' },
    ];
    for (const c of cases) {
      // Without the promo, the usage threshold decides (the normal monthly ramp).
      const outcome = await issue(e2e.id(`ramp-${c.name}`), e2e.id(`ramp-${c.name}-subscriber`), c.facts, !c.promo);
      expect({ name: c.name, decision: outcome.decision, item: outcome.item?.itemKind }).toEqual({
        name: c.name,
        decision: c.promo ? 'welcome_promo' : 'usage_bonus',
        item: c.promo ? 'promo_first_month_50pct' : 'bonus',
      });
      expect(outcome.reason).toContain(c.why);
      // The cutoff applied is the product's, recorded with the facts.
      expect(outcome.facts).toMatchObject({ welcomePromoLaunchCutoffAt: CUTOFF });
    }
  }, 180_000);

  it('[131, 107] an annual, paused, canceling or canceled subscription\'s issuance never consumes a referral reward; it stays pending until an eligible monthly issuance', async () => {
    const { referee, refereeReward } = await referredKiloPassSubscriber(e2e, 'inactive');
    const blocked: [string, Record<string, unknown>, string][] = [
      ['annual', { interval: 'year' }, "an annual subscription's issuance never consumes a referral reward [131]"],
      ['paused', { subscriptionStatus: 'paused' }, "a paused subscription's issuance never consumes a referral reward [107]"],
      ['canceling', { subscriptionStatus: 'canceling' }, "a canceling subscription's issuance never consumes a referral reward [107]"],
      ['canceled', { subscriptionStatus: 'canceled' }, "a canceled subscription's issuance never consumes a referral reward [107]"],
    ];
    let n = 2;
    for (const [name, facts, why] of blocked) {
      const outcome = await issue(e2e.id(`inactive-${name}`), referee, { issuanceNumber: n++, ...facts }, true);
      expect({ name, decision: outcome.decision, consumedReward: outcome.consumedReward }).toEqual({ name, decision: 'usage_bonus', consumedReward: null });
      expect(outcome.reason).toContain(why);
      expect(await rewardStatus(refereeReward.id)).toMatchObject({ status: 'pending' });
    }
    const eligible = await issue(e2e.id('inactive-active'), referee, { issuanceNumber: n, subscriptionStatus: 'active', interval: 'month' });
    expect(eligible).toMatchObject({ decision: 'referral_bonus', consumedReward: { id: refereeReward.id, status: 'applied' } });
    expect(await e2e.result<DeliveryResult>(workflowIds.rewardRedemption(refereeReward.id))).toMatchObject({ status: 'succeeded' });
  }, 180_000);

  it('issue 13 item 4: an issuance\'s outcome is readable through the api: pending until decided, then its item and reason; 404 issuance_not_found for an unknown one', async () => {
    const unknown = await api.get(`/v1/issuances/${e2e.id('never-sent')}`, 'billing').expect(404);
    expect(unknown.body.error).toMatchObject({ code: 'issuance_not_found', details: [expect.objectContaining({ path: 'params.issuanceId' })] });
    await api.get(`/v1/issuances/${e2e.id('never-sent')}`, 'storefront').expect(403);

    // A returning subscriber with no pending reward: the decision waits for the usage threshold.
    const issuanceId = e2e.id('readable');
    const subscriber = e2e.id('readable-subscriber');
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriber)).expect(202);
    const pending = await outcomeOf(issuanceId);
    expect(pending).toMatchObject({
      issuanceId,
      subscriberId: subscriber,
      product: 'kilo_pass',
      workflowId: workflowIds.issuanceBonus(issuanceId),
      status: 'pending',
      decision: null,
      item: null,
      consumedReward: null,
      reason: expect.stringContaining('has not decided yet'),
      facts: { issuanceNumber: 2, firstTimeSubscriber: false, subscriptionStatus: 'active', welcomePromoLaunchCutoffAt: CUTOFF },
      decidedAt: null,
    });
    // Still pending once the workflow runs and waits for the usage threshold.
    const handle = api.temporal.workflow.getHandle(workflowIds.issuanceBonus(issuanceId));
    await eventually(async () => ((await handle.query(issuanceBonusStateQuery).catch(() => null))?.phase === 'waiting_for_usage' ? true : undefined), 30_000, 'waiting_for_usage');
    expect((await outcomeOf(issuanceId)).status).toBe('pending');

    await api.post('/v1/events/usage-threshold-crossed', 'billing', { issuanceId, subscriberId: subscriber, product: 'kilo_pass', crossedAt: new Date(Date.now() + 2_000).toISOString() }).expect(202);
    await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId));
    const decided = await api.get(`/v1/issuances/${issuanceId}`, 'admin').expect(200);
    expect(decided.body).toMatchObject({
      status: 'decided',
      decision: 'usage_bonus',
      item: { itemKind: 'bonus', rewardId: null, claimedAt: expect.any(String) },
      consumedReward: null,
      reason: expect.stringContaining('usage threshold crossed'),
      usageThresholdCrossedAt: expect.any(String),
      decidedAt: expect.any(String),
    });
    expect(decided.body.reason).toContain('returning subscriber');
  }, 90_000);
});
