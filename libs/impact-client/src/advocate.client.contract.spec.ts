import { type UpsertParticipantInput } from './advocate.schemas';
import { defaultFakeImpactSeed, fakeSaasquatchCookie, type ImpactTestHarness, startImpactTestHarness } from './testing';

/** Contract tests: the real client against the fake Impact server over real HTTP. */

const TENANT = 'referrals_demo';
const KILOCLAW_PROGRAM = '51699';
const KILO_PASS_PROGRAM = '51700';

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const kiloclaw = () => h.client.forProduct('kiloclaw').advocate;
const kiloPass = () => h.client.forProduct('kilo_pass').advocate;
const participant = (email: string): UpsertParticipantInput => ({ id: email, accountId: email, email });

describe('AdvocateClient.upsertParticipant', () => {
  it('sends only allow-listed fields, the locale in en_US form and the cookie byte for byte', async () => {
    const cookie = fakeSaasquatchCookie({ tenantAlias: TENANT, programId: KILOCLAW_PROGRAM, code: 'NOBODY1' });
    const input = {
      ...participant('ada@example.com'),
      firstName: 'Ada',
      locale: 'en-us',
      countryCode: 'gb',
      cookies: cookie,
      password: 'must-not-be-sent',
      referralCode: 'must-not-be-sent',
    } as UpsertParticipantInput;

    const outcome = await kiloclaw().upsertParticipant(input);

    expect(outcome.kind).toBe('ok');
    const [request] = h.fake.requests({ operation: 'upsertParticipant' });
    expect(request?.method).toBe('PUT');
    expect(request?.path).toBe(`/api/v1/${TENANT}/open/account/ada%40example.com/user/ada%40example.com`);
    expect(request?.body).toEqual({
      id: 'ada@example.com',
      accountId: 'ada@example.com',
      email: 'ada@example.com',
      firstName: 'Ada',
      locale: 'en_US',
      countryCode: 'GB',
      cookies: cookie,
    });
  });

  it.each([
    ['en', 'CA', 'en_CA'],
    ['en', undefined, undefined],
    ['fr-FR', undefined, 'fr_FR'],
  ])('sends locale %p (country %p) as language_COUNTRY (%p) or leaves it out: Advocate refuses a bare language', async (locale, countryCode, sent) => {
    const outcome = await kiloclaw().upsertParticipant({ ...participant('loc@example.com'), locale, ...(countryCode ? { countryCode } : {}) });
    expect(outcome.kind).toBe('ok');
    expect((h.fake.requests({ operation: 'upsertParticipant' })[0]?.body as Record<string, unknown>)['locale']).toBe(sent);
  });

  it('reads who referred the participant from referredByCodes[] when referredBy is absent', async () => {
    h.fake.faults.failNext('upsertParticipant', 200, { body: { id: 'x@example.com', accountId: 'x@example.com', referredByCodes: ['', 'ADA9001'] } });
    const outcome = await kiloclaw().upsertParticipant(participant('x@example.com'));
    expect(outcome).toMatchObject({ kind: 'ok', value: { referredByCode: 'ADA9001' } });
  });

  it('reads the referral code of its own program from referralCodes, not the top-level code', async () => {
    const claw = await kiloclaw().upsertParticipant(participant('bo@example.com'));
    const pass = await kiloPass().upsertParticipant(participant('bo@example.com'));

    const stored = h.fake.participants()[0];
    expect(claw.kind === 'ok' && claw.value.referralCode).toBe(stored?.referralCodes[KILOCLAW_PROGRAM]);
    expect(pass.kind === 'ok' && pass.value.referralCode).toBe(stored?.referralCodes[KILO_PASS_PROGRAM]);
    expect(pass.kind === 'ok' && pass.value.participant.referralCode).not.toBe(pass.kind === 'ok' && pass.value.referralCode);
  });

  it('answers a null code when referralCodes has no entry (or a blank one) for the program', async () => {
    h.fake.faults.failNext('upsertParticipant', 200, {
      body: { id: 'c@example.com', accountId: 'c@example.com', referralCode: 'OTHER1', referralCodes: { [KILOCLAW_PROGRAM]: ' ' } },
    });
    const outcome = await kiloclaw().upsertParticipant(participant('c@example.com'));
    expect(outcome).toMatchObject({ kind: 'ok', value: { referralCode: null, referredByCode: null } });
  });

  it('reports who referred the participant when the cookie carries a known code', async () => {
    const referrer = await kiloclaw().upsertParticipant(participant('referrer@example.com'));
    const code = referrer.kind === 'ok' ? referrer.value.referralCode : null;
    expect(code).toEqual(expect.any(String));
    const cookie = fakeSaasquatchCookie({ tenantAlias: TENANT, programId: KILOCLAW_PROGRAM, code: code ?? '' });

    const referee = await kiloclaw().upsertParticipant({ ...participant('referee@example.com'), cookies: cookie });

    expect(referee).toMatchObject({ kind: 'ok', value: { referredByCode: code } });
  });

  it.each(['empty_username_api_key', 'account_sid_auth_token'] as const)('authenticates with the %s Basic style', async (authStyle) => {
    const client = h.clientWith((c) => {
      const advocate = c.products?.['kiloclaw']?.advocate;
      if (advocate) advocate.authStyle = authStyle;
      return c;
    });
    const outcome = await client.forProduct('kiloclaw').advocate.upsertParticipant(participant('d@example.com'));
    expect(outcome.kind).toBe('ok');
    const [request] = h.fake.requests();
    const sid = defaultFakeImpactSeed.advocateTenants[0]?.accountSid;
    expect(request?.authUsername).toBe(authStyle === 'empty_username_api_key' ? '' : sid);
    expect(request?.authValid).toBe(true);
  });

  it('is permanent on a 400, with Impact’s apiErrorCode, and sends the request once', async () => {
    h.fake.faults.failNext('upsertParticipant', 400, {
      body: { statusCode: 400, message: 'Unrecognized field', apiErrorCode: 'INVALID_JSON_REQUEST', rsCode: 'RS002' },
    });
    const outcome = await kiloclaw().upsertParticipant(participant('e@example.com'));
    expect(outcome).toMatchObject({
      kind: 'permanent',
      code: 'bad_request',
      httpStatus: 400,
      apiErrorCode: 'INVALID_JSON_REQUEST',
      rsCode: 'RS002',
    });
    expect(h.fake.requests()).toHaveLength(1);
  });

  it('is permanent unauthorized with a wrong token', async () => {
    const client = h.clientWith((c) => {
      const advocate = c.products?.['kiloclaw']?.advocate;
      if (advocate) advocate.authToken = 'wrong-token';
      return c;
    });
    const outcome = await client.forProduct('kiloclaw').advocate.upsertParticipant(participant('f@example.com'));
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'unauthorized', httpStatus: 401 });
  });

  it('is permanent forbidden when the tenant disabled the open endpoint (403)', async () => {
    const disabledSeed = {
      ...defaultFakeImpactSeed,
      advocateTenants: defaultFakeImpactSeed.advocateTenants.map((t) => ({ ...t, openEndpointDisabled: true })),
    };
    const other = await startImpactTestHarness({ seed: disabledSeed });
    try {
      const outcome = await other.client.forProduct('kiloclaw').advocate.upsertParticipant(participant('g@example.com'));
      expect(outcome).toMatchObject({ kind: 'permanent', code: 'forbidden', httpStatus: 403 });
    } finally {
      await other.close();
    }
  });

  it('is transient server_error on a 5xx, with the Retry-After delay', async () => {
    h.fake.faults.failNext('upsertParticipant', 503, { headers: { 'retry-after': '7' } });
    const outcome = await kiloclaw().upsertParticipant(participant('h@example.com'));
    expect(outcome).toMatchObject({ kind: 'transient', code: 'server_error', httpStatus: 503, retryAfterMs: 7000 });
  });

  it('is transient rate_limited on a 429, honouring Retry-After', async () => {
    h.fake.faults.rateLimit('upsertParticipant', { retryAfterSeconds: 3 });
    const outcome = await kiloclaw().upsertParticipant(participant('i@example.com'));
    expect(outcome).toMatchObject({ kind: 'transient', code: 'rate_limited', httpStatus: 429, retryAfterMs: 3000 });
  });

  it('is transient rate_limited on Advocate’s RS033 code whatever the status', async () => {
    h.fake.faults.failNext('upsertParticipant', 400, { body: { statusCode: 400, message: 'Too many requests', rsCode: 'RS033' } });
    const outcome = await kiloclaw().upsertParticipant(participant('j@example.com'));
    expect(outcome).toMatchObject({ kind: 'transient', code: 'rate_limited' });
  });

  it('is transient timeout when Impact answers later than the timeout', async () => {
    h.fake.faults.addLatency('upsertParticipant', 400, { times: 1 });
    const outcome = await kiloclaw().upsertParticipant(participant('k@example.com'), { timeoutMs: 100 });
    expect(outcome).toMatchObject({ kind: 'transient', code: 'timeout' });
  });

  it('is transient network_error when the connection is reset', async () => {
    h.fake.faults.resetConnections('upsertParticipant');
    const outcome = await kiloclaw().upsertParticipant(participant('l@example.com'));
    expect(outcome).toMatchObject({ kind: 'transient', code: 'network_error' });
  });

  it('is transient unexpected_response on a 2xx whose body is not a participant', async () => {
    h.fake.faults.failNext('upsertParticipant', 200, { body: { hello: 'world' } });
    const outcome = await kiloclaw().upsertParticipant(participant('m@example.com'));
    expect(outcome).toMatchObject({ kind: 'transient', code: 'unexpected_response', httpStatus: 200 });
  });

  it('is permanent invalid_input for a cookie over 512 characters, and sends nothing', async () => {
    const outcome = await kiloclaw().upsertParticipant({ ...participant('n@example.com'), cookies: 'c'.repeat(513) });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input', fieldErrors: [{ field: 'cookies' }] });
    expect(h.fake.requests()).toHaveLength(0);
  });

  it('sends a request id on every call, the caller’s when given', async () => {
    const given = await kiloclaw().upsertParticipant(participant('o@example.com'), { requestId: 'activity-42' });
    const generated = await kiloclaw().upsertParticipant(participant('o@example.com'));
    const [first, second] = h.fake.requests();
    expect(given.requestId).toBe('activity-42');
    expect(first?.requestId).toBe('activity-42');
    expect(second?.requestId).toBe(generated.requestId);
    expect(generated.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('AdvocateClient.listRewards', () => {
  it.each(['envelope', 'array'] as const)('accepts the %s response shape', async (shape) => {
    h.fake.configure({ rewardListShape: shape });
    h.fake.addReward({ tenantAlias: TENANT, accountId: 'p@example.com', userId: 'p@example.com', amount: 2, unit: 'MONTH' });
    const outcome = await kiloclaw().listRewards({ accountId: 'p@example.com', userId: 'p@example.com' });
    expect(outcome).toMatchObject({ kind: 'ok', value: [{ type: 'CREDIT', unit: 'MONTH', assignedCredit: 2 }] });
    expect(h.fake.requests()[0]?.query).toEqual({ accountId: 'p@example.com', userId: 'p@example.com', rewardTypeFilter: 'CREDIT' });
    h.fake.configure({ rewardListShape: 'envelope' });
  });
});

describe('AdvocateClient.findRewardToRedeem', () => {
  const who = { accountId: 'q@example.com', userId: 'q@example.com' };

  const KILO_PASS_PROGRAM = '51700';

  it('selects the first unredeemed reward of its own program and the configured unit (any case) with exactly the amount', async () => {
    const ofKiloPass = { ...who, tenantAlias: TENANT, programId: KILO_PASS_PROGRAM };
    h.fake.addReward({ ...ofKiloPass, amount: 5, unit: 'CENTS' });
    // Same tenant, same unit and amount, another program (KiloClaw): never ours.
    h.fake.addReward({ ...ofKiloPass, programId: '51699', amount: 19.99, unit: 'usd' });
    h.fake.addReward({ ...ofKiloPass, amount: 9.99, unit: 'usd' });
    h.fake.addReward({ ...ofKiloPass, amount: 25, unit: 'usd' });
    const enough = h.fake.addReward({ ...ofKiloPass, amount: 19.99, unit: 'usd' });

    const outcome = await kiloPass().findRewardToRedeem({ ...who, amountMinor: 1999 });

    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        rewardId: enough.id,
        rejected: [
          { reason: 'unit_mismatch' },
          { reason: 'program_mismatch' },
          { reason: 'insufficient_credit' },
          { reason: 'amount_mismatch' },
        ],
      },
    });
  });

  it('skips rewards already chosen by other local rewards', async () => {
    const first = h.fake.addReward({ ...who, tenantAlias: TENANT, programId: '51699', amount: 1, unit: 'MONTH' });
    const second = h.fake.addReward({ ...who, tenantAlias: TENANT, programId: '51699', amount: 1, unit: 'MONTH' });
    const outcome = await kiloclaw().findRewardToRedeem({ ...who, amountMinor: 1, excludeRewardIds: [first.id] });
    expect(outcome).toMatchObject({ kind: 'ok', value: { rewardId: second.id } });
  });

  it('is transient reward_not_visible when no reward matches yet', async () => {
    const outcome = await kiloclaw().findRewardToRedeem({ ...who, amountMinor: 1 });
    expect(outcome).toMatchObject({ kind: 'transient', code: 'reward_not_visible' });
  });
});

describe('AdvocateClient.redeemReward', () => {
  const who = { tenantAlias: TENANT, accountId: 'r@example.com', userId: 'r@example.com' };

  it('redeems the amount in the configured unit (1999 local cents as 19.99 USD)', async () => {
    const reward = h.fake.addReward({ ...who, amount: 19.99, unit: 'USD' });
    const outcome = await kiloPass().redeemReward({ rewardId: reward.id, amountMinor: 1999 });
    expect(outcome).toMatchObject({ kind: 'ok', value: { rewardId: reward.id, creditRedeemed: 19.99, creditAvailable: 0, unit: 'USD' } });
    expect(h.fake.requests()[0]?.body).toEqual({ amount: 19.99, unit: 'USD' });
    expect(h.fake.redemptions()).toEqual([expect.objectContaining({ rewardId: reward.id, amount: 19.99 })]);
  });

  it('retried after a 503 succeeds exactly once', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    h.fake.faults.failNext('redeemReward', 503);

    const first = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    const second = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });

    expect(first).toMatchObject({ kind: 'transient', code: 'server_error', httpStatus: 503 });
    expect(second).toMatchObject({ kind: 'ok', value: { rewardId: reward.id, creditRedeemed: 1 } });
    expect(h.fake.requests({ operation: 'redeemReward' })).toHaveLength(2);
    expect(h.fake.redemptions()).toHaveLength(1);
  });

  it('counts "already redeemed" as success when this reward id was chosen on an earlier attempt (answer lost)', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    h.fake.faults.resetConnections('redeemReward', { when: 'after' });

    const lost = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    const retried = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });

    expect(lost).toMatchObject({ kind: 'transient', code: 'network_error' });
    expect(retried).toMatchObject({ kind: 'already_redeemed', rewardId: reward.id });
    expect(h.fake.redemptions()).toHaveLength(1);
  });

  it('counts "already redeemed" as success after a timeout whose redemption went through', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    h.fake.faults.addLatency('redeemReward', 300, { times: 1 });

    const timedOut = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 }, { timeoutMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    const retried = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });

    expect(timedOut).toMatchObject({ kind: 'transient', code: 'timeout' });
    expect(retried.kind).toBe('already_redeemed');
    expect(h.fake.redemptions()).toHaveLength(1);
  });

  it('is permanent reward_already_redeemed when the reward was not chosen before by this local reward', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });

    const notChosen = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    const otherChosen = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: 'another-id' });

    expect(notChosen).toMatchObject({ kind: 'permanent', code: 'reward_already_redeemed', httpStatus: 400 });
    expect(otherChosen).toMatchObject({ kind: 'permanent', code: 'reward_already_redeemed' });
    expect(h.fake.redemptions()).toHaveLength(1);
  });

  it('counts a retry as redeemed when the chosen reward has no credit left, and sends no second redeem', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    h.fake.faults.failNext('redeemReward', 502, { times: 1 });
    await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    const calls = h.fake.requests({ operation: 'redeemReward' }).length;

    const retried = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });

    expect(retried).toMatchObject({ kind: 'already_redeemed', rewardId: reward.id });
    expect(h.fake.requests({ operation: 'lookupReward' })).toHaveLength(1);
    expect(h.fake.requests({ operation: 'redeemReward' })).toHaveLength(calls);
  });

  it('recognises "already redeemed" from the error code, whatever the message', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    const body = { statusCode: 400, message: 'Bad request', apiErrorCode: 'REWARD_ALREADY_REDEEMED' };
    h.fake.faults.failNext('redeemReward', 400, { body, times: 2 });
    const chosen = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });
    const notChosen = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1 });
    expect(chosen.kind).toBe('already_redeemed');
    expect(notChosen).toMatchObject({ kind: 'permanent', code: 'reward_already_redeemed' });
  });

  it('recognises a plain-text "Reward already redeemed" answer too', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    h.fake.faults.alreadyRedeemed();
    const outcome = await kiloclaw().redeemReward({ rewardId: reward.id, amountMinor: 1, previouslyChosenRewardId: reward.id });
    expect(outcome.kind).toBe('already_redeemed');
  });

  it('is permanent not_found for an unknown reward', async () => {
    const outcome = await kiloclaw().redeemReward({ rewardId: 'nope', amountMinor: 1 });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'not_found', httpStatus: 404, apiErrorCode: 'REWARD_NOT_FOUND' });
  });

  it('is permanent invalid_input for a non-positive amount, and sends nothing', async () => {
    const outcome = await kiloclaw().redeemReward({ rewardId: 'x', amountMinor: 0 });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input' });
    expect(h.fake.requests()).toHaveLength(0);
  });
});

describe('AdvocateClient.cancelReward', () => {
  const who = { tenantAlias: TENANT, accountId: 's@example.com', userId: 's@example.com' };

  it('cancels a reward and returns it', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    const outcome = await kiloclaw().cancelReward({ rewardId: reward.id });
    expect(outcome).toMatchObject({ kind: 'ok', value: { rewardId: reward.id, reward: { id: reward.id, cancellable: false } } });
    expect(h.fake.rewards()[0]?.dateCancelled).toEqual(expect.any(Number));
  });

  it('is permanent reward_not_cancellable on a 400', async () => {
    const reward = h.fake.addReward({ ...who, amount: 1, unit: 'MONTH' });
    await kiloclaw().cancelReward({ rewardId: reward.id });
    const again = await kiloclaw().cancelReward({ rewardId: reward.id });
    expect(again).toMatchObject({ kind: 'permanent', code: 'reward_not_cancellable', httpStatus: 400 });
  });

  it('is permanent not_found on a 404', async () => {
    const outcome = await kiloclaw().cancelReward({ rewardId: 'missing' });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'not_found', httpStatus: 404 });
  });
});
