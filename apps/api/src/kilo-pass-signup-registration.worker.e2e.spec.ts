import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { getParticipantRegistration } from '@referrals/impact-sync';
import { type DeliveryResult } from '@referrals/workflows';
import { KILO_PASS_PROGRAM } from './testing/kilo-pass-fixtures';
import { useWorkerE2e } from './testing/worker-e2e';

/** Every payload of a workflow's history as text (Temporal stores them as JSON bytes). */
function payloadText(node: unknown, out: string[] = []): string[] {
  if (node instanceof Uint8Array) {
    out.push(Buffer.from(node).toString('utf8'));
  } else if (Array.isArray(node)) {
    for (const item of node) payloadText(item, out);
  } else if (node !== null && typeof node === 'object') {
    for (const value of Object.values(node)) payloadText(value, out);
  }
  return out;
}

/**
 * Issue 13 item 13 end to end with the worker: the signup itself queues the referee's Advocate
 * registration with the `_saasquatch` value of its touch [50, 52, 54]; the worker delivers it
 * through an Impact outage, with no widget token ever asked for the referee, and the cookie never
 * enters Temporal's history.
 */
describe('Signup registers the referred participant, end to end with the worker (issue 13 item 13)', () => {
  const e2e = useWorkerE2e();
  const { api, id, result } = e2e;

  afterEach(() => api.fake!.faults.clear());

  it('[50, 52, 54, 56] a signup through a _saasquatch touch registers the referee in Advocate with that cookie, retried through a 503 outage, the cookie and email never in Temporal history', async () => {
    // The referrer's own registration stores Advocate's code (what their share link carries).
    const referrerEmail = `${id('referrer')}@example.com`;
    const token = await api.post('/v1/widget-tokens', 'storefront', { programKey: KILO_PASS_PROGRAM, user: { id: id('referrer'), email: referrerEmail } }).expect(200);
    expect(await result<DeliveryResult>(token.body.registration.workflowId)).toMatchObject({ status: 'succeeded' });
    const code = (await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, id('referrer')))!.referralCode!;
    const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code });

    // Advocate is down for the next two calls.
    api.fake!.faults.failNext('upsertParticipant', 503, { times: 2 });
    await api
      .post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: id('anon'), product: 'kilo_pass', programKey: KILO_PASS_PROGRAM, saasquatchCookie: cookie, metadata: { rsCode: code } })
      .expect(201);
    const refereeEmail = `${id('referee')}@example.com`;
    const signup = await api.post('/v1/signups', 'storefront', { product: 'kilo_pass', userId: id('referee'), anonymousId: id('anon'), email: refereeEmail }).expect(200);
    expect(signup.body.referral).toMatchObject({ status: 'qualified', referrerUserId: id('referrer') });
    const workflowId = signup.body.registration.workflowId as string;

    const registered = await result<DeliveryResult>(workflowId, 60_000);
    expect(registered).toMatchObject({ kind: 'participant_registration', status: 'succeeded' });
    const calls = api.fake!.requests({ operation: 'upsertParticipant' }).filter((r) => JSON.stringify(r.body).includes(refereeEmail));
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    // Advocate got the touch's cookie as sent, and attributes the referee to the referrer's code.
    const participant = api.fake!.participants().find((p) => p.email === refereeEmail);
    expect(participant).toMatchObject({ cookies: cookie, referredBy: { code } });

    // Temporal's history holds ids, never the cookie or the email.
    const history = await api.temporal.workflow.getHandle(workflowId).fetchHistory();
    const payloads = payloadText(history.events).join('\n');
    expect(payloads).toContain(`"userId":"${id('referee')}"`);
    expect(payloads).not.toContain(cookie);
    expect(payloads).not.toContain(refereeEmail);
  }, 90_000);
});
