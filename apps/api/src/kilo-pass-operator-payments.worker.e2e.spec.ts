import { type ReportConversionResult, workflowIds } from '@referrals/workflows';
import { kiloPayment, referKiloPass } from './testing/kilo-pass-fixtures';
import { useWorkerE2e } from './testing/worker-e2e';

/**
 * Issue 13, item 15 end to end with the worker and the fake Impact server: what Impact receives
 * for payments the host marks as not made by a customer (Kilo rules 69, 173).
 */
describe('Kilo Pass operator-made payments with the worker (issue 13, item 15)', () => {
  const { api, id, result } = useWorkerE2e();

  it('[69, 173] a test payment never reaches Impact; an admin-created payment an operator marked eligible is reported as the referral SALE', async () => {
    const tested = await referKiloPass(api, 'op-test');
    const marked = await referKiloPass(api, 'op-marked');
    const testInvoice = id('in-test');
    const markedInvoice = id('in-marked');

    const test = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(tested.referee, testInvoice, { origin: 'test' })).expect(200);
    expect(test.body).toMatchObject({ decision: { code: 'not_customer_payment', reasons: ['test_payment'] }, rewards: [], workflows: [] });

    await api.post(`/v1/admin/conversions/stripe:${markedInvoice}/eligibility`, 'admin', { operator: 'alice@example.com', reason: 'SUP-7' }).expect(200);
    const paid = await api.post('/v1/events/payment-succeeded', 'billing', kiloPayment(marked.referee, markedInvoice, { origin: 'admin_created' })).expect(200);
    expect(paid.body.decision.code).toBe('rewarded');

    // The marked payment's SALE is delivered (the worker relays and runs it); the test payment's never existed.
    const report = await result<ReportConversionResult>(workflowIds.conversionReport(`stripe:${markedInvoice}`));
    expect(report.reported).toMatchObject({ kind: 'referral_sale', status: 'succeeded' });
    const orders = api.fake!.requests({ operation: 'submitConversion' }).map((r) => JSON.stringify(r));
    expect(orders.filter((o) => o.includes(`"OrderId":"${markedInvoice}"`))).toHaveLength(1);
    expect(orders.filter((o) => o.includes(testInvoice))).toEqual([]);
  }, 60_000);
});
