import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { defaultFakeImpactSeed, type ImpactTestHarness, startImpactTestHarness } from './testing';

/**
 * The token is signed with node:crypto and verified here with jose, an independent JWT library:
 * a shared bug in one library cannot make both sides agree.
 */

const NOW_MS = Date.UTC(2026, 2, 1, 12, 0, 0);
const tenant = defaultFakeImpactSeed.advocateTenants[0];
const secret = new TextEncoder().encode(tenant?.authToken ?? '');

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness({ now: () => NOW_MS, client: { only: ['kiloclaw'] } });
});
afterAll(() => h.close());

describe('AdvocateClient.createVerifiedAccessToken', () => {
  it('verifies with jose as HS256, with kid = Advocate account SID and the top-level user object', async () => {
    const outcome = h.client.forProduct('kiloclaw').advocate.createVerifiedAccessToken({ email: 'ada@example.com' });
    if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${outcome.kind}`);

    const { payload, protectedHeader } = await jwtVerify(outcome.value.token, secret, {
      algorithms: ['HS256'],
      currentDate: new Date(NOW_MS),
    });

    expect(protectedHeader).toEqual({ alg: 'HS256', kid: tenant?.accountSid });
    expect(payload).toEqual({
      user: { id: 'ada@example.com', accountId: 'ada@example.com', email: 'ada@example.com', referable: false },
      exp: NOW_MS / 1000 + 3600,
    });
    expect(outcome.value.expiresAt).toBe(new Date(NOW_MS + 3600 * 1000).toISOString());
  });

  it('carries the widget of its own program: p/{programId}/w/referrerWidget', () => {
    const outcome = h.client.forProduct('kiloclaw').advocate.createVerifiedAccessToken({ email: 'ada@example.com' });
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { tenantAlias: 'referrals_demo', programId: '51699', widgetId: 'p/51699/w/referrerWidget' },
    });
  });

  it('does not verify with another key, and is expired an hour later', async () => {
    const outcome = h.client.forProduct('kiloclaw').advocate.createVerifiedAccessToken({ email: 'ada@example.com' });
    const token = outcome.kind === 'ok' ? outcome.value.token : '';
    expect(decodeProtectedHeader(token).kid).toBe(tenant?.accountSid);
    await expect(jwtVerify(token, new TextEncoder().encode('another-key'), { currentDate: new Date(NOW_MS) })).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(jwtVerify(token, secret, { currentDate: new Date(NOW_MS + 3600 * 1000 + 1000) })).rejects.toBeInstanceOf(
      errors.JWTExpired,
    );
  });

  it('uses explicit participant and account ids from the server-side identity when given', async () => {
    const outcome = h.client
      .forProduct('kiloclaw')
      .advocate.createVerifiedAccessToken({ email: ' ada@example.com ', participantId: 'user-1', accountId: 'account-1' });
    const { payload } = await jwtVerify(outcome.kind === 'ok' ? outcome.value.token : '', secret, { currentDate: new Date(NOW_MS) });
    expect(payload['user']).toEqual({ id: 'user-1', accountId: 'account-1', email: 'ada@example.com', referable: false });
  });

  it('is permanent invalid_input without an email', () => {
    const outcome = h.client.forProduct('kiloclaw').advocate.createVerifiedAccessToken({ email: '  ' });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input' });
  });

  it('is disabled for a product without Advocate configuration, never signed with another program’s key', () => {
    const outcome = h.client.forProduct('kilo_pass').advocate.createVerifiedAccessToken({ email: 'ada@example.com' });
    expect(outcome).toMatchObject({ kind: 'disabled', code: 'impact_product_not_configured', product: 'kilo_pass' });
    expect(h.client.forProduct('kilo_pass').advocate.widget).toBeNull();
  });

  it('sends no request to Impact', () => {
    expect(h.fake.requests()).toHaveLength(0);
  });
});
