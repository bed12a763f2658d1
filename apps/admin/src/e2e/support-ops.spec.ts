import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDelivery, recordDeliveryAttempt } from '@referrals/impact-sync';
import { applyRewardToIssuance, runLedgerVerification } from '@referrals/ledger';
import { examplePrograms } from '@referrals/rule-dsl';
import { type Browser, type Page } from 'playwright-core';
import { ARTIFACTS, type ApiProcess, apiCall, buildConsole, requireChromium, startApi, launchChromium, signIn } from './api-process';

jest.setTimeout(180_000);

const STOREFRONT_KEY = 'storefront-e2e-key-0123456789abcdef';
const BILLING_KEY = 'billing-e2e-key-0123456789abcdef0123';
const TEMPORAL_UI_URL = 'http://temporal-ui.example.test:8233';
const PROGRAM = examplePrograms.kiloPass.key;

/** A storefront or billing call, as the host makes it. */
async function hostCall(api: ApiProcess, key: string, urlPath: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${api.url}${urlPath}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${urlPath}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * The support and ops screens in Chromium against the real api process: the data is made the way
 * production makes it (storefront and billing calls over HTTP; the issuance and the worker's
 * delivery records through the libs' own functions on the api's database), never by mocking the api.
 */
describe('admin console: support and operations (Chromium)', () => {
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;
  const run = Date.now().toString(36);
  const referrer = `support-referrer-${run}`;
  const referee = `support-referee-${run}`;
  const code = `SUPPORTCODE${run}`.toUpperCase();
  const sourcePaymentId = `in_support_${run}`;
  let reviewRewardId = '';
  let redemptionWorkflowId = '';

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi({ API_KEYS_STOREFRONT: STOREFRONT_KEY, API_KEYS_BILLING: BILLING_KEY, TEMPORAL_UI_URL });

    // A referral, a payment that rewards both sides, the referee's reward applied to an issuance, then charged back.
    expect((await apiCall(api, 'POST', '/v1/admin/programs', { document: examplePrograms.kiloPass, author: 'operator:test', changeNote: 'launch' })).status).toBe(201);
    await hostCall(api, STOREFRONT_KEY, '/v1/referral-codes', { programKey: PROGRAM, code, userId: referrer });
    await hostCall(api, STOREFRONT_KEY, '/v1/touches', { kind: 'referral', anonymousId: `anon-${run}`, product: 'kilo_pass', referralCode: code });
    await hostCall(api, STOREFRONT_KEY, '/v1/signups', { product: 'kilo_pass', userId: referee, anonymousId: `anon-${run}`, email: `${run}@example.com` });
    const now = new Date().toISOString();
    await hostCall(api, BILLING_KEY, '/v1/events/payment-succeeded', {
      provider: 'stripe',
      sourcePaymentId,
      product: 'kilo_pass',
      userId: referee,
      paidAt: now,
      amount: { minor: 4900, currency: 'USD' },
      sequence: 1,
      subscription: { id: 'sub_first', tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: now },
    });
    const applied = await applyRewardToIssuance(api.db.sequelize, {
      issuanceId: `iss-support-${run}`,
      beneficiaryId: referee,
      product: 'kilo_pass',
      issuanceCreatedAt: new Date(Date.now() + 1000),
      actor: 'issuance:test',
    });
    if (applied.outcome !== 'applied') throw new Error(`not applied: ${applied.outcome}`);
    reviewRewardId = applied.reward.id;
    await hostCall(api, BILLING_KEY, '/v1/events/adverse-payment', { noticeId: `cb_${run}`, provider: 'stripe', sourcePaymentId, product: 'kilo_pass', kind: 'chargeback', occurredAt: new Date().toISOString() });

    // The worker's records of Impact work: a SALE report retrying, then the reward's redemption refused for good.
    const sync = api.db.sequelize;
    await ensureDelivery(sync, { kind: 'referral_sale', businessId: `kilo_pass:stripe:${sourcePaymentId}`, deliveryKey: `sale:${run}`, product: 'kilo_pass', programKey: PROGRAM, userId: referee, workflowId: `report-conversion-${run}` });
    await recordDeliveryAttempt(sync, {
      kind: 'referral_sale',
      businessId: `kilo_pass:stripe:${sourcePaymentId}`,
      attempt: 1,
      outcome: 'retrying',
      error: { code: 'server_error', message: 'Impact answered 503', httpStatus: 503 },
      nextAttemptAt: new Date(Date.now() + 60_000),
    });
    redemptionWorkflowId = `reward-redemption-${reviewRewardId}`;
    await ensureDelivery(sync, { kind: 'reward_redemption', businessId: reviewRewardId, deliveryKey: `redeem:${reviewRewardId}`, product: 'kilo_pass', programKey: PROGRAM, userId: referee, workflowId: redemptionWorkflowId });
    await recordDeliveryAttempt(sync, { kind: 'reward_redemption', businessId: reviewRewardId, attempt: 1, outcome: 'failed', error: { code: 'bad_request', message: 'Invalid amount', httpStatus: 400 } });
    await runLedgerVerification(sync);

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (dialog) => void dialog.accept());
    await signIn(page, api);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  /** Screenshots at both widths, each checked for horizontal overflow. */
  async function shotsWithoutOverflow(name: string) {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
      expect({ width, overflow }).toEqual({ width, overflow: 0 });
    }
  }

  it('support finds a user by id: the reward, its audit trail and Impact redemption, referrals with reasons, the winning touch, touches shortened; resolves the review', async () => {
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Support' }).click();
    await page.getByLabel('User id').fill(referee);
    await page.getByLabel('User id').press('Enter');

    const reward = page.locator(`[data-reward="${reviewRewardId}"]`);
    await reward.waitFor();
    await expect(reward.locator('h3').textContent()).resolves.toContain('review required');
    await expect(reward.locator('h3').textContent()).resolves.toContain('$24.50');
    await expect(reward.locator('[data-redemption]').textContent()).resolves.toMatch(/redemption failed, 1 attempt — last error: Invalid amount/);

    await reward.getByRole('button', { name: 'Show audit trail' }).click();
    await reward.getByRole('list', { name: 'Audit trail' }).waitFor();
    expect(await reward.locator('[data-event]').evaluateAll((items) => items.map((i) => i.getAttribute('data-event')))).toEqual(['pending', 'applied', 'review_required']);

    const referred = page.locator('section', { has: page.getByRole('heading', { name: /^Referred by/ }) });
    await expect(referred.textContent()).resolves.toContain(referrer);
    await expect(referred.textContent()).resolves.toContain('qualified');
    const conversion = page.locator(`[data-conversion="stripe:${sourcePaymentId}"]`);
    await expect(conversion.locator('[data-winner]').textContent()).resolves.toMatch(/^referral touch \d+$/);
    // The decision as recorded when it was made (issue 18): program version and the rules' words.
    const decision = (await conversion.locator('[data-decision]').textContent()) ?? '';
    expect(decision).toContain(`${PROGRAM} v1`);
    expect(decision).toMatch(/rule 1/);
    const touches = page.locator('section', { has: page.getByRole('heading', { name: /^Touches/ }) });
    await expect(touches.textContent()).resolves.toContain(`${code.slice(0, 6)}…`);
    // The tracking value is never shown in full.
    expect(await page.locator('body').textContent()).not.toContain(code);
    await shotsWithoutOverflow('support');

    await reward.getByLabel('Operator').fill('alice@example.com');
    await reward.getByLabel('Reason').fill('ticket 4711: chargeback confirmed');
    await reward.getByRole('button', { name: 'Reverse reward' }).click();
    await page.locator(`[data-reward="${reviewRewardId}"] h3`, { hasText: 'reversed' }).waitFor();
    await page.locator(`[data-reward="${reviewRewardId}"] [data-event="reversed"]`).waitFor();
    expect(await reward.getByRole('form', { name: /Resolve review/ }).count()).toBe(0);

    const history = await apiCall(api, 'GET', `/v1/admin/rewards/${reviewRewardId}`);
    expect(history.body['reward']).toMatchObject({ status: 'reversed' });
    expect((history.body['events'] as { toStatus: string; actor: string; reason: string }[]).at(-1)).toMatchObject({
      toStatus: 'reversed',
      actor: 'operator:alice@example.com',
      reason: 'ticket 4711: chargeback confirmed',
    });
  });

  it('ops lists pending, retrying and failed Impact work newest first with attempts, last error and a Temporal UI link; requeues the failed delivery; shows the outbox and the ledger check', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Operations' }).click();
    const failed = page.locator(`[data-delivery="reward_redemption/${reviewRewardId}"]`);
    await failed.waitFor();

    expect(await page.locator('[data-delivery]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-delivery')))).toEqual([
      `reward_redemption/${reviewRewardId}`,
      `referral_sale/kilo_pass:stripe:${sourcePaymentId}`,
    ]);
    await expect(failed.locator('[data-attempts]').textContent()).resolves.toBe('1');
    await expect(failed.locator('[data-last-error]').textContent()).resolves.toBe('Invalid amount (HTTP 400)');
    await expect(failed.locator('[data-workflow-link]').getAttribute('href')).resolves.toBe(`${TEMPORAL_UI_URL}/namespaces/default/workflows/${redemptionWorkflowId}`);
    const retrying = page.locator(`[data-delivery="referral_sale/kilo_pass:stripe:${sourcePaymentId}"]`);
    await expect(retrying.locator('[data-last-error]').textContent()).resolves.toBe('Impact answered 503 (HTTP 503)');
    expect(await retrying.getByRole('button', { name: 'Requeue' }).count()).toBe(0);

    // No worker runs here: the signup's and the payment's Temporal work waits in the outbox.
    const ops = await apiCall(api, 'GET', '/v1/admin/ops');
    const rows = (ops.body['outbox'] as { rows: number }).rows;
    expect(rows).toBeGreaterThan(0);
    await expect(page.locator('[data-outbox-rows]').textContent()).resolves.toBe(`${rows} rows`);
    await expect(page.locator('[data-ledger]').textContent()).resolves.toContain('The books balance');
    await shotsWithoutOverflow('ops');

    await page.setViewportSize({ width: 390, height: 900 });
    await failed.getByRole('button', { name: 'Requeue' }).click();
    await page.locator('[data-ops-message]', { hasText: `Requeued Reward redemption of ${reviewRewardId}` }).waitFor();
    await page.locator(`[data-delivery="reward_redemption/${reviewRewardId}"] .status`, { hasText: 'pending' }).waitFor();
    expect(await failed.getByRole('button', { name: 'Requeue' }).count()).toBe(0);

    const pending = await apiCall(api, 'GET', '/v1/admin/ops/deliveries?status=pending&kind=reward_redemption');
    expect((pending.body['deliveries'] as { businessId: string }[]).map((d) => d.businessId)).toEqual([reviewRewardId]);
    const after = await apiCall(api, 'GET', '/v1/admin/ops');
    expect((after.body['outbox'] as { rows: number }).rows).toBe(rows + 1);
  });
});
