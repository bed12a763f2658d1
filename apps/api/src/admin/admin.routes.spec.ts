import { ensureDelivery, recordDeliveryAttempt } from '@referrals/impact-sync';
import { applyRewardToIssuance } from '@referrals/ledger';
import { examplePrograms } from '@referrals/rule-dsl';
import { useApiHarness } from '../testing/api-harness';
import { createKiloPassProgram, KILO_PASS_PROGRAM, kiloPayment, referKiloPass } from '../testing/kilo-pass-fixtures';

describe('admin: programs', () => {
  const api = useApiHarness();
  const program = () => structuredClone(examplePrograms.kiloPass);

  it('creates version 1, refuses a second create (409), and updates to version 2 only from the current version', async () => {
    const created = await api.post('/v1/admin/programs', 'admin', { document: program(), author: 'operator:alice', changeNote: 'launch' }).expect(201);
    expect(created.body.program).toMatchObject({ key: KILO_PASS_PROGRAM, version: 1, status: 'active', author: 'operator:alice' });
    expect((await api.post('/v1/admin/programs', 'admin', { document: program(), author: 'operator:bob', changeNote: 'again' }).expect(409)).body.error.code).toBe('version_conflict');

    const edited = { ...program(), limits: { ...program().limits, referrerRewardCap: 3 } };
    const updated = await api.put(`/v1/admin/programs/${KILO_PASS_PROGRAM}`, 'admin', { document: edited, author: 'operator:alice', changeNote: 'cap 3', expectedVersion: 1 }).expect(200);
    expect(updated.body.program.version).toBe(2);
    // Someone else edited version 1 meanwhile: their save is stale.
    const stale = await api.put(`/v1/admin/programs/${KILO_PASS_PROGRAM}`, 'admin', { document: program(), author: 'operator:bob', changeNote: 'x', expectedVersion: 1 }).expect(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const other = await api.put('/v1/admin/programs/someone-else', 'admin', { document: program(), author: 'operator:bob', changeNote: 'x', expectedVersion: 1 }).expect(400);
    expect(other.body.error.details).toEqual([{ path: 'body.document.key', message: 'must be someone-else' }]);
  });

  it('lists, gets, shows the history and diffs two versions', async () => {
    expect((await api.get('/v1/admin/programs?product=kilo_pass', 'admin').expect(200)).body.programs.map((p: { key: string; version: number }) => [p.key, p.version])).toEqual([[KILO_PASS_PROGRAM, 2]]);
    expect((await api.get(`/v1/admin/programs/${KILO_PASS_PROGRAM}`, 'admin').expect(200)).body.document.limits.referrerRewardCap).toBe(3);
    expect((await api.get(`/v1/admin/programs/${KILO_PASS_PROGRAM}/versions/1`, 'admin').expect(200)).body.document.limits.referrerRewardCap).toBe(5);
    const history = await api.get(`/v1/admin/programs/${KILO_PASS_PROGRAM}/versions`, 'admin').expect(200);
    expect(history.body.versions.map((v: { version: number; current: boolean; changeNote: string }) => [v.version, v.current, v.changeNote])).toEqual([
      [2, true, 'cap 3'],
      [1, false, 'launch'],
    ]);
    const diff = await api.get(`/v1/admin/programs/${KILO_PASS_PROGRAM}/diff?from=1&to=2`, 'admin').expect(200);
    expect(diff.body.changes).toEqual([expect.objectContaining({ section: 'limits', change: 'changed', before: 5, after: 3 })]);
    expect(diff.body.lines[0]).toBe(`${KILO_PASS_PROGRAM} v1 -> v2: 1 change`);
    expect((await api.get(`/v1/admin/programs/${KILO_PASS_PROGRAM}/versions/9`, 'admin').expect(404)).body.error.code).toBe('program_version_not_found');
    expect((await api.get('/v1/admin/programs/nothing-here', 'admin').expect(404)).body.error.code).toBe('program_not_found');
  });

  it('checks a draft without storing it, listing every problem with its path', async () => {
    const draft = { ...program(), key: 'draft-one', eligibility: [{ subject: 'payment.sequence', operator: 'eq', value: 1 }] };
    const res = await api.post('/v1/admin/programs/check', 'admin', { document: draft }).expect(200);
    // The draft is active at the stored program's priority: Check says so too, as Save would (issue 17 item 2).
    expect(res.body).toMatchObject({
      ok: false,
      code: 'program_invalid',
      problems: [
        expect.objectContaining({ code: 'fact_phase_invalid', path: 'eligibility[0].subject' }),
        { code: 'priority_conflict', path: 'priority', message: 'is taken by active program "kilo-pass-referrals"' },
      ],
    });
    await api.get('/v1/admin/programs/draft-one', 'admin').expect(404);
  });
});

describe('admin: simulate', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));
  const facts = (tier: string, sequence: number) => ({
    subscription: { tier, interval: 'monthly', kind: 'personal', monthly_price: { amountMinor: 4900, currency: 'USD' } },
    payment: { sequence },
  });

  it('decides a stored version on a fact set and explains the decision, writing nothing', async () => {
    const res = await api.post('/v1/admin/simulate', 'admin', { programKey: KILO_PASS_PROGRAM, phase: 'reward', facts: facts('tier_49', 1), at: '2026-03-01T00:00:00Z' }).expect(200);
    expect(res.body).toMatchObject({ program: { key: KILO_PASS_PROGRAM, version: 1 }, code: 'rewarded', decided: true, rule: { index: 0 } });
    expect(res.body.grants).toEqual([
      { beneficiary: 'referrer', initialStatus: 'pending', reward: { type: 'money', amount: { amountMinor: 2450, currency: 'USD' } } },
      { beneficiary: 'referee', initialStatus: 'pending', reward: { type: 'money', amount: { amountMinor: 2450, currency: 'USD' } } },
    ]);
    const miss = await api.post('/v1/admin/simulate', 'admin', { programKey: KILO_PASS_PROGRAM, version: 1, phase: 'reward', facts: facts('tier_5', 1), at: '2026-03-01T00:00:00Z' }).expect(200);
    expect(miss.body).toMatchObject({ code: 'no_rule_matched', decided: false });
    expect(miss.body.lines.join('\n')).toContain('subscription.tier in qualifying_tiers');
    expect((await api.get('/v1/admin/rewards', 'admin').expect(200)).body.rewards).toEqual([]);
  });

  it('simulates a draft (eligibility phase) and refuses an invalid draft with 422 and paths', async () => {
    const draft = { ...structuredClone(examplePrograms.kiloPass), key: 'draft-two' };
    const res = await api.post('/v1/admin/simulate', 'admin', { document: draft, phase: 'eligibility', facts: { referee: { is_new_account: false } }, at: '2026-03-01T00:00:00Z' }).expect(200);
    expect(res.body).toMatchObject({ program: { key: 'draft-two', version: null }, code: 'conditions_not_met', decided: false });
    const invalid = await api.post('/v1/admin/simulate', 'admin', { document: { ...draft, trigger: 'lesson.completed' }, phase: 'reward', facts: {}, at: '2026-03-01T00:00:00Z' }).expect(422);
    expect(invalid.body.error.details).toEqual([expect.objectContaining({ path: 'body.document.trigger' })]);
  });
});

describe('admin: rewards and ops', () => {
  const api = useApiHarness();
  beforeAll(() => createKiloPassProgram(api));

  it('filters rewards by state and resolves a review_required reward (applied, then its payment was charged back)', async () => {
    const { referee } = await referKiloPass(api, 'review');
    const sourcePaymentId = `in_review_${api.run}`;
    await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(referee, sourcePaymentId)).expect(200);
    const applied = await applyRewardToIssuance(api.db.sequelize, {
      issuanceId: `iss-review-${api.run}`,
      beneficiaryId: referee,
      product: 'kilo_pass',
      issuanceCreatedAt: new Date(Date.now() + 1000),
      actor: 'test',
    });
    if (applied.outcome !== 'applied') throw new Error(applied.outcome);
    await api
      .post('/v1/events/adverse-payment', 'billing', { noticeId: `cb_${api.run}`, provider: 'stripe', sourcePaymentId, product: 'kilo_pass', kind: 'chargeback', occurredAt: new Date().toISOString() })
      .expect(200);

    const inReview = await api.get('/v1/admin/rewards?status=review_required', 'admin').expect(200);
    expect(inReview.body.rewards.map((r: { id: string }) => r.id)).toEqual([applied.reward.id]);
    expect((await api.get('/v1/admin/rewards?status=canceled', 'admin').expect(200)).body.rewards).toHaveLength(1);

    const resolved = await api.post(`/v1/admin/rewards/${applied.reward.id}/resolve`, 'admin', { decision: 'reverse', operator: 'alice@example.com', reason: 'chargeback confirmed' }).expect(200);
    expect(resolved.body).toMatchObject({ reward: { id: applied.reward.id, status: 'reversed' }, replayed: false });
    const again = await api.post(`/v1/admin/rewards/${applied.reward.id}/resolve`, 'admin', { decision: 'keep', operator: 'bob@example.com', reason: 'oops' }).expect(409);
    expect(again.body.error.code).toBe('reward_transition_illegal');
    const history = await api.get(`/v1/admin/rewards/${applied.reward.id}`, 'admin').expect(200);
    expect(history.body.events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['pending', 'applied', 'review_required', 'reversed']);
    expect(history.body.events.at(-1)).toMatchObject({ actor: 'operator:alice@example.com', reason: 'chargeback confirmed' });
  });

  it('shows pending, retrying and failed Impact work recorded by the worker, with counts and attempts', async () => {
    const sync = api.db.sequelize;
    const work = (kind: 'participant_registration' | 'referral_sale' | 'reward_redemption', businessId: string) =>
      ensureDelivery(sync, { kind, businessId, deliveryKey: `${kind}:${businessId}`, product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, userId: 'u-ops', workflowId: `wf-${businessId}` });
    await work('participant_registration', `${KILO_PASS_PROGRAM}:u-ops`);
    await work('referral_sale', 'kilo-pass:stripe:in_ops');
    await work('reward_redemption', '4242');
    await recordDeliveryAttempt(sync, {
      kind: 'referral_sale',
      businessId: 'kilo-pass:stripe:in_ops',
      attempt: 1,
      outcome: 'retrying',
      error: { code: 'server_error', message: 'Impact answered 503', httpStatus: 503 },
      nextAttemptAt: new Date(Date.now() + 60_000),
    });
    await recordDeliveryAttempt(sync, { kind: 'reward_redemption', businessId: '4242', attempt: 1, outcome: 'failed', error: { code: 'bad_request', message: 'Invalid amount', httpStatus: 400 } });

    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.deliveries.byCategory).toMatchObject({
      registrations: { pending: 1 },
      conversionReports: { retrying: 1 },
      redemptions: { failed: 1 },
    });
    expect(ops.body.needsAttention.conversionReports).toEqual([
      expect.objectContaining({ kind: 'referral_sale', status: 'retrying', attempts: 1, lastError: { code: 'server_error', message: 'Impact answered 503', httpStatus: 503 }, nextAttemptAt: expect.any(String) }),
    ]);
    expect(ops.body.needsAttention.redemptions).toEqual([expect.objectContaining({ status: 'failed', workflowId: 'wf-4242' })]);
    expect(ops.body.rewardsByStatus).toMatchObject({ canceled: 1, reversed: 1 });

    const failed = await api.get('/v1/admin/ops/deliveries?status=failed', 'admin').expect(200);
    expect(failed.body.deliveries.map((d: { businessId: string }) => d.businessId)).toEqual(['4242']);
    const attempts = await api.get('/v1/admin/ops/deliveries/referral_sale/kilo-pass:stripe:in_ops/attempts', 'admin').expect(200);
    expect(attempts.body.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'retrying', errorCode: 'server_error', httpStatus: 503 })]);

    // Newest first by default, so a fresh failure shows on the first page; oldest first on request.
    const businessIds = async (query: string) =>
      (await api.get(`/v1/admin/ops/deliveries?userId=u-ops${query}`, 'admin').expect(200)).body.deliveries.map((d: { businessId: string }) => d.businessId);
    expect(await businessIds('')).toEqual(['4242', 'kilo-pass:stripe:in_ops', `${KILO_PASS_PROGRAM}:u-ops`]);
    expect(await businessIds('&order=oldest')).toEqual([`${KILO_PASS_PROGRAM}:u-ops`, 'kilo-pass:stripe:in_ops', '4242']);
    const firstPage = (await api.get('/v1/admin/ops/deliveries?userId=u-ops&limit=1', 'admin').expect(200)).body;
    expect(await businessIds(`&afterId=${firstPage.nextAfterId}`)).toEqual(['kilo-pass:stripe:in_ops', `${KILO_PASS_PROGRAM}:u-ops`]);
    // By age: stuck for an hour or more, or created within the last hour.
    await sync.query(`UPDATE impact_sync_deliveries SET created_at = now() - interval '2 hours' WHERE business_id = 'kilo-pass:stripe:in_ops'`);
    expect(await businessIds('&olderThanSeconds=3600')).toEqual(['kilo-pass:stripe:in_ops']);
    expect(await businessIds('&newerThanSeconds=3600&kind=reward_redemption')).toEqual(['4242']);
  });

  it('lists referrals decided without a program, newest first, with their reasons and nothing else', async () => {
    // The touches name their program: a code nobody holds resolves none on its own [35].
    const signUpThrough = async (code: string, userId: string) => {
      const anonymousId = `anon-${userId}`;
      await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId, product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, referralCode: code }).expect(201);
      return (await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId, anonymousId, email: `${userId}@example.com` }).expect(200)).body.referral;
    };
    const selfCode = `SELF${api.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
    await api.post('/v1/referral-codes', 'storefront', { programKey: KILO_PASS_PROGRAM, code: selfCode, userId: `self-${api.run}` }).expect(201);
    const unknown = await signUpThrough('NOBODYS-CODE', `unknown-${api.run}`);
    const self = await signUpThrough(selfCode, `self-${api.run}`);

    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.disqualifiedReferrals).toEqual([
      { id: self.id, product: 'kilo_pass', refereeUserId: `self-${api.run}`, referrerUserId: `self-${api.run}`, status: 'disqualified', reasons: ['self_referral'], createdAt: expect.any(String) },
      { id: unknown.id, product: 'kilo_pass', refereeUserId: `unknown-${api.run}`, referrerUserId: null, status: 'disqualified', reasons: ['referrer_unknown'], createdAt: expect.any(String) },
    ]);
    expect((await api.get('/v1/admin/ops?limit=1', 'admin').expect(200)).body.disqualifiedReferrals.map((r: { id: string }) => r.id)).toEqual([self.id]);
  });
});
