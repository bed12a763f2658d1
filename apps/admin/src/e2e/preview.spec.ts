import { examplePrograms } from '@referrals/rule-dsl';
import pg from 'pg';
import { type Browser, type Page } from 'playwright-core';
import { type ApiProcess, apiCall, buildConsole, requireChromium, startApi, launchChromium, signIn } from './api-process';

jest.setTimeout(180_000);

const fixture = examplePrograms.challengeRewards;
/** Four recorded lessons of the Challenge program, with what was granted (12.5% from $40, else $3) and the 15% draft, by hand. */
const LESSONS = [
  { amount: '45.30', rule: 0, now: 566, draft: 680 },
  { amount: '25.00', rule: 1, now: 300, draft: 300 },
  { amount: '60.00', rule: 0, now: 750, draft: 900 },
  { amount: '80.00', rule: 0, now: 1000, draft: 1200 },
];

/** Preview from the editor in a real browser (Chromium via playwright-core) against the real api process. */
describe('admin console: preview a draft on past events (Chromium)', () => {
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    api = await startApi();
    expect((await apiCall(api, 'POST', '/v1/admin/programs', { document: fixture, author: 'operator:admin', changeNote: 'launch' })).status).toBe(201);
    // The decision records as recordQualifyingEvent stores them (the api e2e records real lessons; here only the page is under test).
    const db = new pg.Client({ connectionString: api.db.databaseUrl });
    await db.connect();
    try {
      for (const [i, l] of LESSONS.entries()) {
        const at = `2025-10-0${i + 2}T10:00:00.000Z`;
        const facts = { referral: { created_at: '2025-10-01T09:00:00.000Z' }, invitee: { signed_up_at: '2025-10-01T09:00:00.000Z' }, lesson: { id: `l-${i}`, usd_amount: l.amount, duration_minutes: 50, sequence: i + 1, is_trial: false, completed_at: at }, event: { sequence: i + 1 } };
        const rewards = [{ role: 'referrer', status: 'earned', kind: l.rule === 0 ? 'percent' : 'fixed', amountMinor: l.now, unit: 'USD' }];
        await db.query(
          `INSERT INTO rewarding_decision_records (conversion_id, event_type, occurred_at, program_key, program_version, referral_id, referrer_user_id, referee_user_id,
             decision_code, rule_index, facts, explanation, notes, rewards, recorded_at)
           VALUES ($1, 'lesson.completed', $2, $3, 1, 1, '5001', '7001', 'rewarded', $4, $5::jsonb, NULL, '{}', $6::jsonb, $2)`,
          [`lesson-events:ui-${i}`, at, fixture.key, l.rule, JSON.stringify(facts), JSON.stringify(rewards)],
        );
      }
    } finally {
      await db.end();
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, api);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('raises the enhanced reward to 15% on screen, previews it next to Save and sees the numbers and the changed lessons', async () => {
    await page.goto(`${api.url}/admin/?program=${fixture.key}`);
    await page.getByText('· version 1').waitFor();
    await page.getByRole('button', { name: 'Expand rule 1' }).click();
    await page.fill('[data-path="rewardRules[0].reward.percent"]', '15');
    await page.fill('[aria-label="Preview from"]', '2025-09-01T00:00');
    await page.fill('[aria-label="Preview to"]', '2026-01-01T00:00');
    // Every text the progress display shows while the api streams (it may be brief on 208 events).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { progressTexts: string[] }).progressTexts = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-preview-progress]')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.locator('[data-preview-result]').waitFor();
    const progressTexts = await page.evaluate(() => (window as unknown as { progressTexts: string[] }).progressTexts);
    expect(progressTexts.length).toBeGreaterThan(0);
    for (const text of progressTexts) expect(text).toMatch(new RegExp(`^(Counting recorded events…|Re-deciding recorded events: [0-9,]+ of ${LESSONS.length}) \\(\\d+ s\\)$`));
    expect(await page.locator('[data-preview-done]').textContent()).toMatch(new RegExp(`^${LESSONS.length} of ${LESSONS.length} recorded events re-decided in \\d+\\.\\d s$`));
    const row = async (name: string) => ((await page.locator(`[data-preview-result] tr[data-row="${name}"]`).textContent()) ?? '').replace(/\s+/g, ' ');
    const total = (key: 'now' | 'draft') => (LESSONS.reduce((sum, l) => sum + l[key], 0) / 100).toFixed(2);
    expect(await row('events')).toContain(String(LESSONS.length));
    expect(await row('rewarded')).toBe(`rewarded${LESSONS.length}${LESSONS.length}`);
    expect(await row('amount-USD')).toBe(`granted USD${total('now')} USD${total('draft')} USD`);
    expect(await row('changed')).toBe(`changed${LESSONS.filter((l) => l.now !== l.draft).length}`);
    const changes = page.locator('[data-preview-changes] > li');
    expect(await changes.count()).toBe(3);
    expect(await changes.first().textContent()).toContain('lesson-events:ui-0');
    expect(await changes.first().textContent()).toContain('566 USD');
    expect(await changes.first().textContent()).toContain('680 USD');
    // Nothing was saved: the program is still at version 1.
    const current = await apiCall(api, 'GET', `/v1/admin/programs/${fixture.key}`);
    expect(current.body).toMatchObject({ version: 1 });
  });
});
