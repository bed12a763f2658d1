import { hashCustomerEmail } from '@referrals/impact-client';
import { fakeSaasquatchCookie } from '@referrals/impact-client/testing';
import { getParticipantRegistration } from '@referrals/impact-sync';
import { type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { KILO_PASS_PROGRAM, kiloPayment } from './testing/kilo-pass-fixtures';
import { referredKiloPassSubscriber, useWorkerE2e } from './testing/worker-e2e';
import { flowHistories } from './testing/workflow-histories';

/**
 * Issue 15 item 3: Temporal histories cannot be erased and whoever operates Temporal reads them, so
 * workflow inputs, results, memo, search attributes and activity arguments carry ids only; the
 * activities read emails, cookies and click ids from PostgreSQL when they call Impact.
 */
describe('No personal data in Temporal histories, end to end with the worker (issue 15 item 3)', () => {
  const e2e = useWorkerE2e();
  const { api, id } = e2e;

  const submissionsOf = (orderId: string) =>
    api.fake!.requests({ operation: 'submitConversion' }).filter((r) => (r.body as Record<string, unknown>)['OrderId'] === orderId);

  it('[184] a referral payment with an email: no workflow history of the flow holds the email or the _saasquatch cookie, and the SALE still carries the CustomerEmail', async () => {
    const subscriber = await referredKiloPassSubscriber(e2e, 'pd');
    const invoice = id('pd-in');
    const code = (await getParticipantRegistration(api.db.sequelize, KILO_PASS_PROGRAM, subscriber.referrer))!.referralCode!;
    const cookie = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51700', code });

    // Impact's contract: the SALE names the customer by the SHA-1 of the email the payment carried.
    const [sale, ...more] = submissionsOf(invoice);
    expect(more).toEqual([]);
    expect(sale?.body).toMatchObject({ CustomerId: subscriber.referee, CustomerEmail: hashCustomerEmail(subscriber.refereeEmail) });

    const histories = await flowHistories(e2e, [workflowIds.conversionReport(`stripe:${invoice}`)]);
    // The flow: both Advocate registrations and the SALE report (at least), all of this file's run.
    expect(histories.size).toBeGreaterThanOrEqual(3);
    for (const [workflowId, text] of histories) {
      expect({ workflowId, leaks: [subscriber.refereeEmail, `${subscriber.referrer}@example.com`, cookie].filter((v) => text.includes(v)) }).toEqual({ workflowId, leaks: [] });
    }
    expect(histories.get(workflowIds.conversionReport(`stripe:${invoice}`))).toContain(subscriber.referee);
  }, 120_000);

  it('[184] an affiliate payment: its SALE carries the im_ref click id and the email read from PostgreSQL, its history neither', async () => {
    const buyer = id('pd-buyer');
    const email = `${buyer}@example.com`;
    const clickId = `click-${id('pd-aff')}`;
    const invoice = id('pd-aff-in');
    await api.post('/v1/touches', 'storefront', { kind: 'affiliate', userId: buyer, product: 'kilo_pass', clickId }).expect(201);
    await api.post('/v1/events/payment-succeeded', 'billing', { ...kiloPayment(buyer, invoice), email }).expect(200);

    const workflowId = workflowIds.conversionReport(`stripe:${invoice}`);
    const report = await e2e.result<ReportConversionResult>(workflowId);

    expect(report.reported).toMatchObject({ kind: 'affiliate_sale', status: 'succeeded' });
    expect(submissionsOf(invoice).map((s) => s.body)).toEqual([expect.objectContaining({ ClickId: clickId, CustomerEmail: hashCustomerEmail(email) })]);
    const history = (await flowHistories(e2e, [workflowId])).get(workflowId)!;
    expect(history).toContain(buyer);
    expect(history).not.toContain(clickId);
    expect(history).not.toContain(email);
  }, 90_000);
});
