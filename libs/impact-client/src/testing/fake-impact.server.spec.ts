import { defaultFakeImpactSeed } from './fake-impact.seed';
import { type FakeImpactServer, startFakeImpact } from './fake-impact.server';
import { fakeSaasquatchCookie } from './saasquatch-cookie';

/** The fake itself, spoken to with plain fetch: it must hold the client to Impact's rules. */

const tenant = defaultFakeImpactSeed.advocateTenants[0];
const account = defaultFakeImpactSeed.performanceAccounts[0];
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const advocateAuth = basic(tenant?.accountSid ?? '', tenant?.authToken ?? '');
const performanceAuth = basic(account?.accountSid ?? '', account?.authToken ?? '');
const userPath = (email: string) => `/api/v1/referrals_demo/open/account/${encodeURIComponent(email)}/user/${encodeURIComponent(email)}`;

let fake: FakeImpactServer;
beforeAll(async () => {
  fake = await startFakeImpact();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.configure({ contract: 'documented', submissions: { mode: 'queued', pollsUntilComplete: 3 }, rewardDelayMs: 0, rewardListShape: 'array' });
});

async function call(method: string, path: string, init: { auth?: string; json?: unknown; form?: Record<string, string>; accept?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.auth) headers['authorization'] = init.auth;
  if (init.accept) headers['accept'] = init.accept;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const res = await fetch(`${fake.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json, headers: res.headers };
}

describe('fake Impact: Advocate upsert', () => {
  it('rejects an unknown field with 400 INVALID_JSON_REQUEST', async () => {
    const res = await call('PUT', userPath('a@x.io'), { auth: advocateAuth, json: { id: 'a@x.io', accountId: 'a@x.io', bogus: 1 } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ statusCode: 400, apiErrorCode: 'INVALID_JSON_REQUEST' });
  });

  it('rejects a locale in en-US form, and a bare language (RS039): it must be language_COUNTRY', async () => {
    const res = await call('PUT', userPath('a@x.io'), { auth: advocateAuth, json: { id: 'a@x.io', accountId: 'a@x.io', locale: 'en-US' } });
    expect(res.status).toBe(400);
    const bare = await call('PUT', userPath('a@x.io'), { auth: advocateAuth, json: { id: 'a@x.io', accountId: 'a@x.io', locale: 'en' } });
    expect(bare).toMatchObject({ status: 400, json: { rsCode: 'RS039' } });
    expect((await call('PUT', userPath('a@x.io'), { auth: advocateAuth, json: { id: 'a@x.io', accountId: 'a@x.io', locale: 'en_US' } })).status).toBe(200);
  });

  it('answers referredByCodes[] next to the older referredBy', async () => {
    const referrer = await call('PUT', userPath('r@x.io'), { auth: advocateAuth, json: { id: 'r@x.io', accountId: 'r@x.io', email: 'r@x.io' } });
    const code = (referrer.json as { referralCodes: Record<string, string> }).referralCodes['51700'] ?? '';
    const cookies = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code });
    const referee = await call('PUT', userPath('e@x.io'), { auth: advocateAuth, json: { id: 'e@x.io', accountId: 'e@x.io', cookies } });
    expect(referee.json).toMatchObject({ referredByCodes: [code], referredBy: { code } });
  });

  it('accepts both Basic styles and refuses a wrong or missing one', async () => {
    const body = { id: 'a@x.io', accountId: 'a@x.io' };
    expect((await call('PUT', userPath('a@x.io'), { auth: basic('', tenant?.authToken ?? ''), json: body })).status).toBe(200);
    expect((await call('PUT', userPath('a@x.io'), { auth: advocateAuth, json: body })).status).toBe(200);
    expect((await call('PUT', userPath('a@x.io'), { auth: basic('', 'wrong'), json: body })).status).toBe(401);
    expect((await call('PUT', userPath('a@x.io'), { json: body })).status).toBe(401);
  });

  it('creates with POST (201) and generates one referral code per program', async () => {
    const res = await call('POST', userPath('b@x.io'), { auth: advocateAuth, json: { id: 'b@x.io', accountId: 'b@x.io', email: 'b@x.io' } });
    expect(res.status).toBe(201);
    expect(Object.keys((res.json as { referralCodes: object }).referralCodes)).toEqual(['51699', '51700']);
  });

  it('numbers referral codes from firstReferralCodeNumber, so a restarted fake does not hand out the codes of the previous run', async () => {
    const restarted = await startFakeImpact({ firstReferralCodeNumber: 1_700_000_000_000 });
    try {
      const res = await fetch(`${restarted.url}${userPath('b@x.io')}`, {
        method: 'PUT',
        headers: { authorization: advocateAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'b@x.io', accountId: 'b@x.io', email: 'b@x.io' }),
      });
      expect(((await res.json()) as { referralCodes: Record<string, string> }).referralCodes).toEqual({ '51699': 'B1700000000000', '51700': 'B1700000000001' });
    } finally {
      await restarted.close();
    }
  });
});

describe('fake Impact: referral rewards', () => {
  it('creates a credit reward for the referrer and the referee after the configured delay when a referral SALE arrives', async () => {
    fake.configure({ rewardDelayMs: 50 });
    const referrer = await call('PUT', userPath('r@x.io'), { auth: advocateAuth, json: { id: 'r@x.io', accountId: 'r@x.io', email: 'r@x.io' } });
    const code = (referrer.json as { referralCodes: Record<string, string> }).referralCodes['51699'] ?? '';
    const cookies = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51699', code });
    await call('PUT', userPath('e@x.io'), { auth: advocateAuth, json: { id: 'e@x.io', accountId: 'e@x.io', email: 'e@x.io', cookies } });

    const sale = await call('POST', `/Advertisers/${account?.accountSid}/Conversions`, {
      auth: performanceAuth,
      accept: 'application/json',
      json: { CampaignId: '50754', ActionTrackerId: '71659', EventDate: new Date().toISOString(), OrderId: 'o1', CustomerId: 'e@x.io' },
    });
    expect(sale.json).toEqual({ Status: 'QUEUED', QueuedUri: expect.stringMatching(/^\/Advertisers\/.+\/APISubmissions\/A-/) });
    const queuedUri = (sale.json as { QueuedUri: string }).QueuedUri;
    for (let i = 0; i < 3; i++) await call('GET', queuedUri, { auth: performanceAuth, accept: 'application/json' });
    expect(fake.rewards()).toHaveLength(0);

    await fake.settle();
    expect(fake.rewards().map((r) => [r.userId, r.unit, r.assignedCredit])).toEqual([
      ['r@x.io', 'MONTH', 1],
      ['e@x.io', 'MONTH', 1],
    ]);
  });
});

describe('fake Impact: Performance', () => {
  it('answers XML unless JSON is asked for', async () => {
    const res = await call('GET', `/Advertisers/${account?.accountSid}/APISubmissions/none`, { auth: performanceAuth });
    expect(res.headers.get('content-type')).toContain('application/xml');
    expect(res.text).toContain('<Message>Submission not found</Message>');
  });

  it('refuses a plain-text CustomerEmail and an amount without two decimals', async () => {
    const res = await call('POST', `/Advertisers/${account?.accountSid}/Conversions`, {
      auth: performanceAuth,
      accept: 'application/json',
      json: {
        CampaignId: '50754',
        ActionTrackerId: '71659',
        EventDate: new Date().toISOString(),
        OrderId: 'o1',
        CustomerEmail: 'a@x.io',
        ItemSubTotal1: '19',
      },
    });
    expect(res.status).toBe(400);
    // The documented Conversions 400 body: lower-case `errors[{ field, level, message }]`.
    expect((res.json as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['CustomerEmail', 'ItemSubTotal1']);
  });

  it('refuses a tracker of another campaign', async () => {
    const res = await call('POST', `/Advertisers/${account?.accountSid}/Conversions`, {
      auth: performanceAuth,
      accept: 'application/json',
      json: { CampaignId: '50755', ActionTrackerId: '71659', EventDate: new Date().toISOString(), OrderId: 'o1' },
    });
    expect(res.json).toMatchObject({ Status: 'ERROR', errors: [{ field: 'ActionTrackerId', level: 'ERROR', message: 'ACTIONTRACKER_CAMPAIGN_MISMATCH' }] });
  });

  const conversion = (fields: Record<string, string> = {}) =>
    call('POST', `/Advertisers/${account?.accountSid}/Conversions`, {
      auth: performanceAuth,
      accept: 'application/json',
      json: { CampaignId: '50754', ActionTrackerId: '71659', EventDate: new Date().toISOString(), OrderId: 'o1', CustomerId: 'c1', ...fields },
    });
  const poll = async (queuedUri: string) => (await call('GET', queuedUri, { auth: performanceAuth, accept: 'application/json' })).json as Record<string, unknown>;

  it('queues a conversion and moves its submission Queued, In Progress, Complete, with no action id', async () => {
    const queued = await conversion();
    const queuedUri = (queued.json as { QueuedUri: string }).QueuedUri;
    expect(queued.json).toEqual({ Status: 'QUEUED', QueuedUri: queuedUri });

    const polls = [await poll(queuedUri), await poll(queuedUri), await poll(queuedUri)];

    expect(polls.map((p) => p['Status'])).toEqual(['Queued', 'In Progress', 'Complete']);
    expect(polls[2]).toEqual({
      BatchId: queuedUri.split('/').pop(),
      Type: 'Conversion',
      OrderId: 'o1',
      Uri: queuedUri,
      Status: 'Complete',
      CompletionDate: expect.any(String),
      ErrorType: null,
      ErrorReason: null,
    });
    expect(fake.actions()).toHaveLength(1);
  });

  it('completes a resubmitted OrderId with CONV_DUPLICATE and records no second action', async () => {
    fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1 } });
    await poll(((await conversion()).json as { QueuedUri: string }).QueuedUri);
    const again = await poll(((await conversion()).json as { QueuedUri: string }).QueuedUri);
    expect(again).toMatchObject({ Status: 'Complete', ErrorType: 'Contract Error', ErrorReason: 'CONV_DUPLICATE' });
    expect(fake.actions()).toHaveLength(1);
  });

  it('completes with the configured ErrorType and no action', async () => {
    fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1, result: 'configuration_error' } });
    const done = await poll(((await conversion()).json as { QueuedUri: string }).QueuedUri);
    expect(done).toMatchObject({ Status: 'Complete', ErrorType: 'Contract Error', ErrorReason: 'ACTIONTRACKER_CAMPAIGN_MISMATCH' });
    expect(fake.actions()).toHaveLength(0);
  });

  it('refuses an undocumented conversion field (PromoCode as the order promo code is OrderPromoCode)', async () => {
    const res = await conversion({ Bogus: 'x' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errors: [{ field: 'Bogus' }] });
    expect((await conversion({ OrderPromoCode: 'SPRING', ItemSku1: 'kp' })).status).toBe(200);
  });

  it('keeps the undocumented conveniences only when permissive', async () => {
    expect(() => fake.configure({ submissions: { mode: 'immediate' } })).toThrow(/permissive/);
    fake.configure({ contract: 'permissive', submissions: { mode: 'immediate' } });
    expect((await conversion({ Bogus: 'x' })).json).toMatchObject({ Status: 'OK', Uri: expect.stringMatching(/\/Actions\//) });
    fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1 } });
    const done = await poll(((await conversion({ OrderId: 'o2' })).json as { QueuedUri: string }).QueuedUri);
    expect(done).toMatchObject({ Status: 'Complete', ActionId: expect.any(String) });
  });

  it('refuses a JSON reversal: reversals are form-encoded', async () => {
    const res = await call('DELETE', `/Advertisers/${account?.accountSid}/Actions`, {
      auth: performanceAuth,
      accept: 'application/json',
      json: { ActionId: '1', DispositionCode: 'REJECTED' },
    });
    expect(res.status).toBe(400);
  });
});

describe('fake Impact: rewards', () => {
  const rewardPath = (path: string) => `/api/v1/referrals_demo${path}`;

  it('lists rewards as the documented array, each with its programId', async () => {
    const reward = fake.addReward({ tenantAlias: 'referrals_demo', accountId: 'a', userId: 'a', amount: 5, unit: 'USD', programId: '51700' });
    const res = await call('GET', rewardPath('/reward?accountId=a&userId=a'), { auth: advocateAuth });
    expect(res.json).toEqual([expect.objectContaining({ id: reward.id, programId: '51700', assignedCredit: 5, redeemedCredit: 0 })]);
  });

  it('redeems partially until nothing is left, then answers already redeemed; a lookup shows what is left', async () => {
    const reward = fake.addReward({ tenantAlias: 'referrals_demo', accountId: 'a', userId: 'a', amount: 5, unit: 'USD', programId: '51700' });
    const redeem = (amount: number) => call('POST', rewardPath(`/credit/${reward.id}/redeem`), { auth: advocateAuth, json: { amount, unit: 'USD' } });

    expect((await redeem(2)).json).toEqual({ creditRedeemed: 2, creditAvailable: 3, unit: 'USD' });
    expect((await redeem(4)).status).toBe(400);
    expect((await redeem(3)).json).toEqual({ creditRedeemed: 3, creditAvailable: 0, unit: 'USD' });
    expect(await redeem(1)).toMatchObject({ status: 400, json: { message: 'Reward already redeemed' } });
    const looked = await call('GET', rewardPath(`/reward/${reward.id}`), { auth: advocateAuth });
    expect(looked.json).toMatchObject({ id: reward.id, assignedCredit: 5, redeemedCredit: 5, redemptions: [{ quantityRedeemed: 2 }, { quantityRedeemed: 3 }] });
  });
});

describe('fake Impact: faults and inspection', () => {
  it('takes faults and answers inspection through the control endpoints', async () => {
    const added = await call('POST', '/__fake/faults', { json: { kind: 'status', operation: 'listRewards', status: 502, times: 2 } });
    expect(added.status).toBe(204);
    const path = '/api/v1/referrals_demo/reward?accountId=a&userId=a';

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('GET', path, { auth: advocateAuth })).status);

    expect(statuses).toEqual([502, 502, 200]);
    const requests = await call('GET', '/__fake/requests?operation=listRewards');
    expect((requests.json as { status: number; fault: string | null }[]).map((r) => [r.status, r.fault])).toEqual([
      [502, 'status'],
      [502, 'status'],
      [200, null],
    ]);
  });

  it('validates control input', async () => {
    expect((await call('POST', '/__fake/faults', { json: { kind: 'explode', operation: '*' } })).status).toBe(400);
  });

  it('never records the password of a request', async () => {
    await call('GET', '/api/v1/referrals_demo/reward?accountId=a&userId=a', { auth: advocateAuth });
    expect(JSON.stringify(fake.requests())).not.toContain(tenant?.authToken ?? 'unreachable');
  });

  it('adds latency to matching calls until cleared', async () => {
    fake.faults.addLatency('rewardBalance', 120);
    const started = Date.now();
    await call('GET', '/api/v1/referrals_demo/reward/balance?accountId=a&userId=a', { auth: advocateAuth });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    fake.faults.clear();
    expect(fake.faults.pending()).toEqual([]);
  });
});
