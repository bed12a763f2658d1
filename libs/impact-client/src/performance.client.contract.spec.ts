import { createHash } from 'node:crypto';
import { type ConversionInput } from './performance.schemas';
import { defaultFakeImpactSeed, type ImpactTestHarness, startImpactTestHarness } from './testing';

/** Contract tests: the real client against the fake Impact server over real HTTP. */

const SID = defaultFakeImpactSeed.performanceAccounts[0]?.accountSid ?? '';

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.reset();
  // The documented fake: Conversions answer QUEUED; submissions complete on the first poll here.
  h.fake.configure({ contract: 'documented', submissions: { mode: 'queued', pollsUntilComplete: 1 } });
});

const kiloclaw = () => h.client.forProduct('kiloclaw').performance;
const kiloPass = () => h.client.forProduct('kilo_pass').performance;

const sale = (overrides: Partial<ConversionInput> = {}): ConversionInput => ({
  event: 'SALE',
  orderSourceId: 'in_1PaymentSource',
  eventDate: new Date('2026-03-01T12:00:00Z'),
  customerId: 'user-123',
  customerEmail: '  Ada.Lovelace@Example.COM ',
  currencyCode: 'usd',
  amountMinor: 1900,
  item: { category: 'subscription', name: 'tier_19', sku: 'tier_19' },
  ...overrides,
});

describe('PerformanceClient.submitConversion', () => {
  it('maps a referral SALE to Impact fields: tracker, deterministic OrderId, hashed email, 2-decimal amount, no ClickId', async () => {
    const outcome = await kiloclaw().submitConversion(sale());

    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { status: 'queued', orderId: 'in_1PaymentSource', queuedUri: expect.stringMatching(new RegExp(`^/Advertisers/${SID}/APISubmissions/A-`)) },
    });
    const [request] = h.fake.requests({ operation: 'submitConversion' });
    expect(request?.path).toBe(`/Advertisers/${SID}/Conversions`);
    expect(request?.accept).toBe('application/json');
    expect(request?.body).toEqual({
      CampaignId: '50754',
      ActionTrackerId: '71659',
      EventDate: '2026-03-01T12:00:00.000Z',
      OrderId: 'in_1PaymentSource',
      CustomerId: 'user-123',
      CustomerEmail: createHash('sha1').update('ada.lovelace@example.com').digest('hex'),
      CurrencyCode: 'USD',
      ItemSubTotal1: '19.00',
      ItemQuantity1: '1',
      ItemCategory1: 'subscription',
      ItemName1: 'tier_19',
      ItemSku1: 'tier_19',
    });
  });

  it('sends a SIGNUP with CustomerStatus NEW and the click id untouched', async () => {
    const outcome = await kiloclaw().submitConversion({
      event: 'SIGNUP',
      orderSourceId: 'user-123',
      eventDate: '2026-03-01T12:00:00+01:00',
      customerId: 'user-123',
      clickId: 'Tk9sX3dMWXhGeTJQWUo3UFlXV0RDd0ZCUDI2VWhU',
    });
    expect(outcome.kind).toBe('ok');
    expect(h.fake.requests()[0]?.body).toMatchObject({
      ActionTrackerId: '71655',
      CustomerStatus: 'NEW',
      ClickId: 'Tk9sX3dMWXhGeTJQWUo3UFlXV0RDd0ZCUDI2VWhU',
      EventDate: '2026-03-01T12:00:00+01:00',
    });
  });

  it('resubmits the same source id with the same OrderId, which Impact completes as CONV_DUPLICATE: delivered, one action', async () => {
    const first = await kiloclaw().reportConversion(sale(), { pollIntervalMs: 5 });
    const second = await kiloclaw().reportConversion(sale(), { pollIntervalMs: 5 });
    expect(first).toMatchObject({ kind: 'ok', value: { orderId: 'in_1PaymentSource', actionId: null } });
    expect(second).toMatchObject({ kind: 'ok', value: { orderId: 'in_1PaymentSource', actionId: null } });
    const [, duplicate] = h.fake.requests({ operation: 'pollSubmission' });
    expect(duplicate?.responseBody).toMatchObject({ ErrorReason: 'CONV_DUPLICATE' });
    expect(h.fake.actions()).toHaveLength(1);
  });

  it('sends the order promo code as OrderPromoCode', async () => {
    await kiloclaw().submitConversion(sale({ promoCode: 'SPRING' }));
    expect(h.fake.requests()[0]?.body).toMatchObject({ OrderPromoCode: 'SPRING' });
    expect(h.fake.requests()[0]?.body).not.toHaveProperty('PromoCode');
  });

  it('turns a source id longer than 64 characters into its 64-character SHA-256 OrderId', async () => {
    const longId = `payment:${'x'.repeat(80)}`;
    const outcome = await kiloclaw().submitConversion(sale({ orderSourceId: longId }));
    const expected = createHash('sha256').update(longId).digest('hex');
    expect(outcome).toMatchObject({ kind: 'ok', value: { orderId: expected } });
    expect(expected).toHaveLength(64);
  });

  it('uses its own product’s campaign and trackers (Kilo Pass is not KiloClaw)', async () => {
    await kiloPass().submitConversion(sale());
    expect(h.fake.requests()[0]?.body).toMatchObject({ CampaignId: '50755', ActionTrackerId: '71759' });
  });

  it('is permanent bad_request with Impact’s field errors on a validation failure', async () => {
    const client = h.clientWith((c) => {
      const performance = c.products?.['kiloclaw']?.performance;
      if (performance) performance.campaignId = '99999';
      return c;
    });
    const outcome = await client.forProduct('kiloclaw').performance.submitConversion(sale());
    expect(outcome).toMatchObject({
      kind: 'permanent',
      code: 'bad_request',
      httpStatus: 400,
      // Read from the documented lower-case body `errors[{ field, level, message }]`.
      message: expect.stringContaining('CAMPAIGN_NOT_FOUND'),
      fieldErrors: [{ field: 'CampaignId', message: 'CAMPAIGN_NOT_FOUND' }],
    });
  });

  it('is disabled for an event without a configured tracker, and sends nothing', async () => {
    const outcome = await kiloPass().submitConversion({ ...sale(), event: 'VISIT' });
    expect(outcome).toMatchObject({ kind: 'disabled', code: 'impact_event_not_configured', product: 'kilo_pass' });
    expect(h.fake.requests()).toHaveLength(0);
  });

  it('is permanent invalid_input for a SALE without an amount, and sends nothing', async () => {
    const outcome = await kiloclaw().submitConversion(sale({ amountMinor: undefined }));
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input', fieldErrors: [{ field: 'amountMinor' }] });
    expect(h.fake.requests()).toHaveLength(0);
  });

  it('is transient rate_limited on a 429, with the delay from X-RateLimit-Reset', async () => {
    h.fake.faults.rateLimit('submitConversion', { resetInSeconds: 30 });
    const outcome = await kiloclaw().submitConversion(sale());
    expect(outcome).toMatchObject({ kind: 'transient', code: 'rate_limited', httpStatus: 429 });
    const retryAfterMs = outcome.kind === 'transient' ? (outcome.retryAfterMs ?? 0) : 0;
    expect(retryAfterMs).toBeGreaterThan(28_000);
    expect(retryAfterMs).toBeLessThanOrEqual(31_000);
  });

  it('is transient server_error on a 500', async () => {
    h.fake.faults.failNext('submitConversion', 500);
    expect(await kiloclaw().submitConversion(sale())).toMatchObject({ kind: 'transient', code: 'server_error', httpStatus: 500 });
  });

  it('is permanent unauthorized with a wrong token', async () => {
    const client = h.clientWith((c) => {
      const performance = c.products?.['kiloclaw']?.performance;
      if (performance) performance.authToken = 'wrong';
      return c;
    });
    const outcome = await client.forProduct('kiloclaw').performance.submitConversion(sale());
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'unauthorized', httpStatus: 401 });
  });
});

describe('PerformanceClient.reportConversion and pollSubmission', () => {
  it('polls a queued SALE submission to Complete without an ErrorType: delivered, with its batch id and no action id', async () => {
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 3 } });

    const outcome = await kiloclaw().reportConversion(sale(), { pollIntervalMs: 10 });

    const [submission] = h.fake.submissions();
    expect(outcome).toEqual({
      kind: 'ok',
      value: { orderId: 'in_1PaymentSource', actionId: null, batchId: submission?.batchId },
      requestId: expect.any(String),
    });
    expect(h.fake.requests({ operation: 'pollSubmission' }).map((r) => (r.responseBody as { Status: string }).Status)).toEqual([
      'Queued',
      'In Progress',
      'Complete',
    ]);
    expect(h.fake.actions()).toHaveLength(1);
  });

  it('answers an immediate OK (undocumented; permissive fake) without polling', async () => {
    h.fake.configure({ contract: 'permissive', submissions: { mode: 'immediate' } });
    const outcome = await kiloclaw().reportConversion(sale());
    expect(outcome).toMatchObject({ kind: 'ok', value: { actionId: h.fake.actions()[0]?.actionId } });
    expect(h.fake.requests({ operation: 'pollSubmission' })).toHaveLength(0);
  });

  it('is transient submission_pending with the queued URI when polls run out, and that URI can be polled later', async () => {
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 4 } });

    const pending = await kiloclaw().reportConversion(sale(), { maxPolls: 2, pollIntervalMs: 5 });
    expect(pending).toMatchObject({ kind: 'transient', code: 'submission_pending', retryAfterMs: 5 });
    const queuedUri = pending.kind === 'transient' ? (pending.queuedUri ?? '') : '';
    expect(queuedUri).toMatch(new RegExp(`^/Advertisers/${SID}/APISubmissions/`));

    const done = await kiloclaw().pollSubmission({ queuedUri }, { maxPolls: 5, pollIntervalMs: 5 });
    expect(done).toMatchObject({ kind: 'ok', value: { batchId: queuedUri.split('/').pop(), actionId: null, duplicate: false } });
    expect(h.fake.actions()).toHaveLength(1);
    expect(h.fake.requests({ operation: 'submitConversion' })).toHaveLength(1);
  });

  it('is transient queued_submission_failed when the submission completes with an ErrorType the documents do not list', async () => {
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1, result: 'failed' } });
    const outcome = await kiloclaw().reportConversion(sale(), { pollIntervalMs: 5 });
    expect(outcome).toMatchObject({ kind: 'transient', code: 'queued_submission_failed' });
    expect(outcome.kind === 'transient' && outcome.message).toContain('Processing Error');
  });

  it.each([
    ['configuration_error', 'submission_configuration_error', 'ACTIONTRACKER_CAMPAIGN_MISMATCH'],
    ['validation_error', 'submission_validation_error', 'MALFORMED'],
    ['contract_error', 'submission_contract_error', 'CONTRACT_NOT_FOUND'],
  ] as const)('is permanent when the submission completes with a %s', async (result, code, reason) => {
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1, result } });
    const outcome = await kiloclaw().reportConversion(sale(), { pollIntervalMs: 5 });
    expect(outcome).toMatchObject({ kind: 'permanent', code, message: expect.stringContaining(reason) });
  });

  it('refuses to poll a URI that is not a submission of its account, and sends nothing', async () => {
    const outcome = await kiloclaw().pollSubmission({ queuedUri: 'https://elsewhere.example/Advertisers/OTHER/APISubmissions/A-1' });
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input' });
    expect(h.fake.requests()).toHaveLength(0);
  });

  it('polls only the path of an absolute queued URI, on the configured base URL', async () => {
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1 } });
    const submitted = await kiloclaw().submitConversion(sale());
    const queuedUri = submitted.kind === 'ok' && submitted.value.status === 'queued' ? submitted.value.queuedUri : '';
    const outcome = await kiloclaw().pollSubmission({ queuedUri: `https://attacker.example${queuedUri}` });
    expect(outcome.kind).toBe('ok');
    expect(h.fake.requests({ operation: 'pollSubmission' })).toHaveLength(1);
  });
});

describe('PerformanceClient.reverseAction', () => {
  it('reverses by action id with a form-encoded DELETE and answers the queued submission', async () => {
    await kiloclaw().reportConversion(sale());
    // Impact documents no action id on the submission; an action id comes from elsewhere (the UI, the Actions API).
    const actionId = h.fake.actions()[0]?.actionId ?? '';

    const outcome = await kiloclaw().reverseAction({ actionId }, 'ITEM_RETURNED');

    expect(outcome).toMatchObject({ kind: 'ok', value: { status: 'queued', queuedUri: expect.stringMatching(/APISubmissions/) } });
    const [request] = h.fake.requests({ operation: 'reverseAction' });
    expect(request?.method).toBe('DELETE');
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(request?.body).toEqual({ ActionId: actionId, DispositionCode: 'ITEM_RETURNED' });
    const queuedUri = outcome.kind === 'ok' && outcome.value.status === 'queued' ? outcome.value.queuedUri : '';
    expect(await kiloclaw().pollSubmission({ queuedUri })).toMatchObject({ kind: 'ok' });
    expect(h.fake.actions()[0]).toMatchObject({ state: 'REVERSED', disposition: 'ITEM_RETURNED' });
  });

  it('reverses by action tracker and the deterministic OrderId', async () => {
    await kiloclaw().reportConversion(sale());
    const outcome = await kiloclaw().reverseAction({ event: 'SALE', orderSourceId: 'in_1PaymentSource' }, 'CONS_FRAUD');
    expect(outcome.kind).toBe('ok');
    expect(h.fake.requests({ operation: 'reverseAction' })[0]?.body).toEqual({
      ActionTrackerId: '71659',
      OrderId: 'in_1PaymentSource',
      DispositionCode: 'CONS_FRAUD',
    });
  });

  it('is permanent not_found for an unknown action', async () => {
    const outcome = await kiloclaw().reverseAction({ actionId: '1111.2222.3333' }, 'REJECTED');
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'not_found', httpStatus: 404 });
  });

  it('is permanent invalid_input for an unknown disposition code, and sends nothing', async () => {
    const outcome = await kiloclaw().reverseAction({ actionId: '1' }, 'OOPS' as 'REJECTED');
    expect(outcome).toMatchObject({ kind: 'permanent', code: 'invalid_input' });
    expect(h.fake.requests()).toHaveLength(0);
  });
});
