import { defaultFakeImpactSeed, fakeSaasquatchCookie, type ImpactTestHarness, startImpactTestHarness } from './testing';

/** Logs leave the process: they must never hold credentials, full emails or full tracking values. */

const tenant = defaultFakeImpactSeed.advocateTenants[0];
const account = defaultFakeImpactSeed.performanceAccounts[0];
const EMAIL = 'ada.lovelace@example.com';
const COOKIE = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51699', code: 'ADA9001', padding: 150 });
const CLICK_ID = 'Tk9sX3dMWXhGeTJQWUo3UFlXV0RDd0ZCUDI2VWhU';

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.reset();
  h.logLines.length = 0;
});

/** Every secret or personal value that could leak, including encoded forms of the credentials. */
function forbiddenValues(): string[] {
  const secrets = [tenant?.authToken, account?.authToken].filter((s): s is string => Boolean(s));
  return [
    ...secrets,
    ...secrets.map((s) => Buffer.from(`${tenant?.accountSid}:${s}`).toString('base64')),
    ...secrets.map((s) => Buffer.from(`:${s}`).toString('base64')),
    ...secrets.map((s) => Buffer.from(`${account?.accountSid}:${s}`).toString('base64')),
    'Basic ',
    COOKIE,
    COOKIE.slice(0, 40),
    EMAIL,
    CLICK_ID,
  ];
}

describe('impact-client logs', () => {
  it('of a failing upsert contain the request id and redacted values, never the token, the full _saasquatch value or the full email', async () => {
    // The error body echoes what was sent, as some servers do.
    h.fake.faults.failNext('upsertParticipant', 400, {
      body: { statusCode: 400, message: `Bad cookie ${COOKIE} for ${EMAIL}`, apiErrorCode: 'INVALID_JSON_REQUEST' },
    });

    const outcome = await h.client
      .forProduct('kiloclaw')
      .advocate.upsertParticipant({ id: EMAIL, accountId: EMAIL, email: EMAIL, cookies: COOKIE });

    expect(COOKIE.length).toBeGreaterThan(300);
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'bad_request' });
    const logs = h.logLines.join('');
    expect(logs).toContain(outcome.requestId);
    expect(logs).toContain('"code":"bad_request"');
    expect(logs).toContain(`${COOKIE.slice(0, 6)}…[${COOKIE.length} chars]`);
    for (const value of forbiddenValues()) expect(logs).not.toContain(value);
    // The outcome a caller stores as "last error" is scrubbed too.
    expect(JSON.stringify(outcome)).not.toContain(EMAIL);
    expect(JSON.stringify(outcome)).not.toContain(COOKIE);
  });

  it('of a failing conversion and a failing redeem hold no token, email or click id', async () => {
    h.fake.faults.failNext('submitConversion', 503);
    h.fake.faults.resetConnections('redeemReward');

    await h.client.forProduct('kiloclaw').performance.submitConversion({
      event: 'SIGNUP',
      orderSourceId: 'user-1',
      eventDate: new Date(),
      customerId: 'user-1',
      customerEmail: EMAIL,
      clickId: CLICK_ID,
    });
    await h.client.forProduct('kiloclaw').advocate.redeemReward({ rewardId: 'r1', amountMinor: 1 });
    await h.client.forProduct('kiloclaw').advocate.listRewards({ accountId: EMAIL, userId: EMAIL });

    const logs = h.logLines.join('');
    expect(h.logLines.length).toBeGreaterThanOrEqual(3);
    for (const value of forbiddenValues()) expect(logs).not.toContain(value);
  });

  it('of a token issuance hold neither the token nor the email', () => {
    const outcome = h.client.forProduct('kiloclaw').advocate.createVerifiedAccessToken({ email: EMAIL });
    const logs = h.logLines.join('');
    expect(outcome.kind).toBe('ok');
    expect(logs).toContain('createVerifiedAccessToken');
    expect(logs).not.toContain(outcome.kind === 'ok' ? outcome.value.token.split('.')[2] : 'unreachable');
    expect(logs).not.toContain(EMAIL);
  });
});
