import { listRewards, verifyLedger } from '@referrals/ledger';
import { type IssuanceBonusResult, workflowIds } from '@referrals/workflows';
import { hashPaymentInstrument } from '@referrals/rewarding';
import { QueryTypes } from 'sequelize';
import { DEV_PAYMENT_INSTRUMENT_HASH_SECRET } from './config';
import { kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { kiloIssuance, useWorkerE2e } from './testing/worker-e2e';

/** Before Kilo Pass's welcome-promo launch cutoff: issuance 1 is the welcome month. */
const BEFORE_CUTOFF = '2026-10-01T00:00:00.000Z';

/**
 * Issue 16 end to end with the real worker: the payment-instrument guard (Kilo rules 176-184)
 * decides the welcome promo of the issuance-bonus workflow. Payments and issuances over HTTP,
 * the worker process deciding, PostgreSQL holding the outcome `GET /v1/issuances/{id}` answers.
 */
describe('payment-instrument guard and the welcome promo end to end (issue 16)', () => {
  const e2e = useWorkerE2e();
  const { api } = e2e;

  const pay = (body: Record<string, unknown>) => api.post('/v1/events/payment-succeeded', 'billing', body).expect(200);
  const card = (fingerprint: string) => ({ paymentMethod: { type: 'card', fingerprint } });

  /** The subscriber's first issuance (their welcome month), with the usage threshold crossed: decided by the worker. */
  async function welcomeIssuance(issuanceId: string, subscriberId: string) {
    await api.post('/v1/events/issuance-created', 'billing', kiloIssuance(issuanceId, subscriberId, { issuanceNumber: 1, firstTimeSubscriber: true, subscriberStartedAt: BEFORE_CUTOFF })).expect(202);
    await api
      .post('/v1/events/usage-threshold-crossed', 'billing', { issuanceId, subscriberId, product: 'kilo_pass', crossedAt: new Date(Date.now() + 2_000).toISOString() })
      .expect(202);
    const decided = await e2e.result<IssuanceBonusResult>(workflowIds.issuanceBonus(issuanceId), 120_000);
    const outcome = (await api.get(`/v1/issuances/${issuanceId}`, 'billing').expect(200)).body;
    expect(outcome).toMatchObject({ status: 'decided', decision: decided.decision });
    return outcome;
  }

  afterEach(async () => {
    expect(await verifyLedger(api.db.sequelize)).toEqual([]);
  });

  it('[170, 178, 179] twenty referred accounts pay their first invoice with one card at once: one claim, one welcome promo, referral rewards for at most one conversion', async () => {
    const fingerprint = `fp_race_${e2e.id('card')}`;
    const referred = await Promise.all(Array.from({ length: 20 }, (_, i) => referKiloPass(api, `wrace${i}`)));
    const paid = await Promise.all(referred.map(({ referee }, i) => pay(kiloPayment(referee, e2e.id(`in-race-${i}`), card(fingerprint)))));
    const claimers = paid.filter((p) => p.body.paymentMethod.check === 'claimed').map((p) => p.body.referral.refereeUserId as string);
    expect(claimers).toHaveLength(1);
    expect(paid.filter((p) => p.body.decision.code === 'rewarded').map((p) => p.body.referral.refereeUserId)).toEqual(claimers);
    const claims = await api.db.sequelize.query<{ user_id: string }>('SELECT user_id FROM payment_instrument_claims WHERE instrument_hash = $1', {
      bind: [hashPaymentInstrument(DEV_PAYMENT_INSTRUMENT_HASH_SECRET, 'card', fingerprint)],
      type: QueryTypes.SELECT,
    });
    expect(claims).toEqual([{ user_id: claimers[0] }]);

    const outcomes = await Promise.all(referred.map(({ referee }, i) => welcomeIssuance(e2e.id(`race-issuance-${i}`), referee)));
    const promos = outcomes.filter((o) => o.decision === 'welcome_promo');
    expect(promos.map((o) => o.subscriberId)).toEqual(claimers);
    expect(promos[0].item).toMatchObject({ itemKind: 'promo_first_month_50pct' });
    const others = outcomes.filter((o) => o.decision !== 'welcome_promo');
    expect(others).toHaveLength(19);
    for (const o of others) {
      // The normal monthly ramp, like a returning subscriber: the usage bonus decides.
      expect(o).toMatchObject({ decision: 'usage_bonus', item: { itemKind: 'bonus' }, facts: { paymentInstrumentAlreadyClaimed: true } });
      expect(o.reason).toContain('the payment method already received the introductory bonus on another account [178]');
      expect(JSON.stringify(o)).not.toContain(fingerprint);
    }
    // Referral rewards: both roles of the one eligible conversion, nothing for the 19 others.
    const rewarded = await Promise.all(referred.map(({ referee }) => listRewards(api.db.sequelize, { beneficiaryId: referee })));
    expect(rewarded.filter((r) => r.length > 0)).toHaveLength(1);
    const referrerRewards = await Promise.all(referred.map(({ referrer }) => listRewards(api.db.sequelize, { beneficiaryId: referrer })));
    expect(referrerRewards.flat()).toHaveLength(1);
  }, 300_000);

  it('[178, 182] the issuance-bonus workflow honours a claim that survived its owner\'s refund and erasure: a new account paying with the card gets the normal monthly ramp', async () => {
    const fingerprint = `fp_erased_${e2e.id('card')}`;
    const owner = e2e.id('erased-owner');
    await pay(kiloPayment(owner, e2e.id('in-erased-owner'), card(fingerprint)));
    await api
      .post('/v1/events/adverse-payment', 'billing', { noticeId: e2e.id('refund-owner'), provider: 'stripe', sourcePaymentId: e2e.id('in-erased-owner'), product: 'kilo_pass', kind: 'refund', occurredAt: new Date().toISOString() })
      .expect(200);
    await api.post(`/v1/admin/users/${owner}/erase`, 'admin', { requestedBy: 'operator:dpo', reason: 'data subject request' }).expect(200);

    const newcomer = e2e.id('newcomer');
    const paid = await pay(kiloPayment(newcomer, e2e.id('in-newcomer'), card(fingerprint)));
    expect(paid.body.paymentMethod).toMatchObject({ check: 'already_claimed', introductoryBonus: 'does_not_apply' });
    const outcome = await welcomeIssuance(e2e.id('newcomer-issuance-1'), newcomer);
    expect(outcome).toMatchObject({ decision: 'usage_bonus', facts: { paymentInstrumentAlreadyClaimed: true } });

    // A first-time subscriber paying with a card of their own still gets the welcome promo.
    const fresh = e2e.id('fresh');
    await pay(kiloPayment(fresh, e2e.id('in-fresh'), card(`fp_fresh_${e2e.id('card')}`)));
    const freshOutcome = await welcomeIssuance(e2e.id('fresh-issuance-1'), fresh);
    expect(freshOutcome).toMatchObject({ decision: 'welcome_promo', item: { itemKind: 'promo_first_month_50pct' } });
    expect(freshOutcome.facts).not.toHaveProperty('paymentInstrumentAlreadyClaimed');
  }, 180_000);
});
