import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ProgramDocument, examplePrograms } from '@referrals/rule-dsl';
import { type Browser, type Dialog, type Page } from 'playwright-core';
import { ADMIN_KEY, ARTIFACTS, ROOT, type ApiProcess, apiCall, buildConsole, requireChromium, saveThroughDialog, startApi, launchChromium } from './api-process';

jest.setTimeout(Number(process.env["ADMIN_E2E_TIMEOUT_MS"] ?? 180_000));

const fixture = examplePrograms.challengeRewards;
const sel = (p: string) => `[data-path="${p}"]`;
const STOREFRONT_KEY = 'storefront-e2e-key-0123456789abcdef';
let nextPriority = 300;

/**
 * Issue 17 (items 1, 2, 3, 6, 7): saving is deliberate, edits are never lost silently, problems
 * are shown in words at their field while typing, order matters and can be changed, and the
 * screen works at 390 and 1280 px. Real api process, real PostgreSQL, Debian's Chromium.
 */
describe('admin console: safe editing, validation in words, reorder, layout (Chromium)', () => {
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;

  /** A program of our own (a copy of the Challenge fixture) stored through the api, as another operator would. */
  async function createProgram(key: string, overrides: Partial<ProgramDocument> = {}): Promise<ProgramDocument> {
    const document = { ...structuredClone(fixture), key, priority: (nextPriority += 1), ...overrides } as ProgramDocument;
    const res = await apiCall(api, 'POST', '/v1/admin/programs', { document, author: 'operator:setup', changeNote: 'setup' });
    expect(res.status).toBe(201);
    return document;
  }

  const versionsOf = async (key: string) => ((await apiCall(api, 'GET', `/v1/admin/programs/${key}/versions`)).body['versions'] as { version: number; changeNote: string }[]) ?? [];

  /**
   * A new tab already signed in (the key in its sessionStorage, as sign-in leaves it): a test never
   * inherits the previous one's unsaved edits and their leave-page guard.
   */
  async function newTab() {
    if (page && !page.isClosed()) await page.close();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript((key) => sessionStorage.setItem('referrals.adminKey', key), ADMIN_KEY);
  }

  async function open(key: string, view = '') {
    await page.goto(`${api.url}/admin/?program=${key}${view}`);
    await page.locator('[data-program-title]').getByText(/version \d+/).waitFor();
  }

  /** The next native dialog (confirm, beforeunload), answered; its message and type returned. */
  function nextDialog(answer: 'accept' | 'dismiss'): Promise<{ type: string; message: string }> {
    return new Promise((resolve) => {
      page.once('dialog', (d: Dialog) => {
        const seen = { type: d.type(), message: d.message() };
        void (answer === 'accept' ? d.accept() : d.dismiss()).then(() => resolve(seen));
      });
    });
  }

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi({ API_KEYS_STOREFRONT: STOREFRONT_KEY });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    if (process.env['ADMIN_E2E_API_OUTPUT']) console.log(api?.output());
    await browser?.close();
    await api?.stop();
  });

  it('refuses a wrong key at sign-in, and keeps the right one for the life of the tab (a reload does not ask again)', async () => {
    await page.goto(`${api.url}/admin/`);
    await page.getByLabel('Admin API key').fill('not-the-admin-key-0123456789abcdef');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-signin-error]').getByText('not an admin key').waitFor();
    expect(await page.getByRole('heading', { name: 'Referral programs' }).count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('referrals.adminKey'))).toBeNull();
    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Referral programs' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Referral programs' }).waitFor();
  });

  it('lists programs as a table with status, product, priority, windows and an "ended" marker, and searches them', async () => {
    await newTab();
    await createProgram('list-ended');
    await createProgram('list-future', {
      name: 'Next year challenge',
      status: 'draft',
      schedule: { startAt: '2099-01-01T00:00:00Z', frozenAt: '2099-06-01T00:00:00Z', endAt: '2099-12-01T00:00:00Z' },
    });
    await page.goto(`${api.url}/admin/`);
    const ended = page.locator('tr[data-program="list-ended"]');
    await ended.waitFor();
    // The Challenge schedule ended on 2026-01-01: still "active", marked ended.
    expect(await ended.textContent()).toMatch(/active\s*ended.*tutoring.*2025-09-01 → 2025-12-01.*2025-09-01 → 2026-01-01/);
    expect(await page.locator('tr[data-program="list-future"] [data-marker]').textContent()).toContain('not started');
    await page.getByLabel('Search programs').fill('next year');
    await page.locator('tr[data-program="list-ended"]').waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-program]').count()).toBe(1);
  });

  it('Enter in a field does not save; a save with no change is refused; saving an active program shows the diff and asks first', async () => {
    await newTab();
    await createProgram('enter-key');
    await open('enter-key');
    await page.getByRole('button', { name: 'Expand rule 1' }).click();
    await page.fill(sel('rewardRules[0].conditions[1].value'), '3.5');
    await page.press(sel('rewardRules[0].conditions[1].value'), 'Enter');
    await page.fill(sel('name'), 'Renamed by Enter?');
    await page.press(sel('name'), 'Enter');
    await page.locator('.unsaved').waitFor();
    expect(await page.locator('dialog[open]').count()).toBe(0);
    expect((await versionsOf('enter-key')).length).toBe(1);

    // Save opens the diff with the active-program warning; "Keep editing" stores nothing.
    await page.fill(sel('changeNote'), 'lower the enhanced threshold');
    await page.getByRole('button', { name: 'Save…' }).click();
    const diff = page.locator('dialog[open] [data-save-diff]');
    await diff.waitFor();
    const lines = (await diff.textContent()) ?? '';
    expect(lines).toContain('Reward rule 1, condition 2: value: "40.00" → "3.5"');
    expect(lines).toContain('Name: "Challenge Based Rewards (student)" → "Renamed by Enter?"');
    expect(await page.locator('dialog[open]').textContent()).toContain('This program is active');
    await page.getByRole('button', { name: 'Keep editing' }).click();
    expect((await versionsOf('enter-key')).length).toBe(1);
    await page.getByRole('button', { name: 'Save…' }).click();
    await page.getByRole('button', { name: 'Save the active program' }).click();
    await page.getByText('Saved version 2').waitFor();

    // Nothing changed since: the page says so, and the api refuses it too (no version 3).
    await page.getByRole('button', { name: 'Save…' }).click();
    await page.getByText('Nothing to save: no change since version 2').waitFor();
    expect(await page.locator('dialog[open]').count()).toBe(0);
    const stored = (await apiCall(api, 'GET', '/v1/admin/programs/enter-key')).body;
    const again = await apiCall(api, 'PUT', '/v1/admin/programs/enter-key', { document: stored['document'], author: 'operator:x', changeNote: 'same', expectedVersion: 2 });
    expect(again.status).toBe(422);
    expect(again.body).toMatchObject({ error: { code: 'program_unchanged' } });
    expect((await versionsOf('enter-key')).map((v) => v.version)).toEqual([2, 1]);
  });

  it('leaving with edits warns (link, Back, reload and close), and staying keeps them', async () => {
    await newTab();
    await createProgram('leave-warn');
    await page.goto(`${api.url}/admin/`);
    await page.locator('tr[data-program="leave-warn"] a').click();
    await page.locator('[data-program-title]').getByText(/version \d+/).waitFor();
    await page.fill(sel('description'), 'an edit nobody saved');
    const asked = nextDialog('dismiss');
    await page.getByRole('link', { name: 'All programs' }).click();
    expect(await asked).toEqual({ type: 'confirm', message: expect.stringContaining('unsaved changes') });
    expect(await page.inputValue(sel('description'))).toBe('an edit nobody saved');
    expect(page.url()).toContain('program=leave-warn');

    // Back to another page of the console: asked too; staying puts the address back.
    const back = nextDialog('dismiss');
    await page.goBack();
    expect((await back).type).toBe('confirm');
    await page.waitForURL(/program=leave-warn/);
    expect(await page.inputValue(sel('description'))).toBe('an edit nobody saved');

    // Reload and tab close: the page cancels beforeunload while edits are unsaved (what makes the browser ask).
    const cancelsUnload = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true });
        window.dispatchEvent(event);
        return event.defaultPrevented;
      });
    expect(await cancelsUnload()).toBe(true);

    // Agreeing to leave leaves.
    const leave = nextDialog('accept');
    await page.getByRole('link', { name: 'All programs' }).click();
    await leave;
    await page.getByRole('heading', { name: 'Referral programs' }).waitFor();
    expect(await cancelsUnload()).toBe(false);
  });

  it('a stale tab\'s save keeps the edits, shows what the other version changed, and saves on top of it once merged by hand', async () => {
    await newTab();
    const document = await createProgram('stale-tab');
    await open('stale-tab');
    await page.fill(sel('terms[1].description'), 'edited in the stale tab');
    await page.fill(sel('changeNote'), 'describe the toggle');
    // Meanwhile another tab saves version 2.
    const other = await apiCall(api, 'PUT', '/v1/admin/programs/stale-tab', {
      document: { ...document, name: 'Renamed in the other tab' },
      author: 'operator:other',
      changeNote: 'rename',
      expectedVersion: 1,
    });
    expect(other.status).toBe(200);
    await saveThroughDialog(page);
    const conflict = page.locator('[data-conflict]');
    await conflict.waitFor();
    expect(await conflict.locator('[data-conflict-diff]').textContent()).toContain('Renamed in the other tab');
    expect(await page.inputValue(sel('terms[1].description'))).toBe('edited in the stale tab');
    expect((await versionsOf('stale-tab')).length).toBe(2);

    // Merge by hand: take their name, keep our description, then save on top of version 2.
    await page.fill(sel('name'), 'Renamed in the other tab');
    await page.getByRole('button', { name: 'I have merged by hand: save on top of version 2' }).click();
    await saveThroughDialog(page);
    await page.getByText('Saved version 3').waitFor();
    const stored = (await apiCall(api, 'GET', '/v1/admin/programs/stale-tab')).body['document'] as ProgramDocument;
    expect(stored.name).toBe('Renamed in the other tab');
    expect(stored.terms[1]?.description).toBe('edited in the stale tab');
  });

  it('shows problems in words at their field while typing, before any Save: empty list, priority conflict, and a collapsed rule opens when its problem is clicked', async () => {
    await newTab();
    const holder = await createProgram('priority-holder');
    await createProgram('live-check');
    await open('live-check');

    // An empty "is one of" list in Eligibility: refused by the same check as Save, shown in words at the field.
    await page.click('[data-add="eligibility"]');
    await page.selectOption(sel('eligibility[4].subject'), 'invitee.country');
    await page.selectOption(sel('eligibility[4].operator'), 'in');
    const atField = page.locator('[data-problem-for="eligibility[4].value"]');
    await atField.waitFor();
    expect(await atField.textContent()).toBe('is an empty list: give at least one item');
    expect(await page.locator('[data-problems]').textContent()).toContain('Eligibility condition 5: value: is an empty list: give at least one item');
    expect(await page.locator('[data-problems]').textContent()).not.toMatch(/eligibility\[|Too small/);
    await page.fill(sel('eligibility[4].value'), 'US, CA');
    await atField.waitFor({ state: 'detached' });

    // The priority another active program holds: Check says so now (Save would refuse it).
    await page.fill(sel('priority'), String(holder.priority));
    const priority = page.locator('[data-problem-for="priority"]');
    await priority.waitFor();
    expect(await priority.textContent()).toContain('priority-holder');
    await page.fill(sel('priority'), String((nextPriority += 1)));
    await priority.waitFor({ state: 'detached' });

    // A problem inside a collapsed rule: the link expands it and puts the focus on the field.
    await page.getByRole('button', { name: 'Expand rule 1' }).click();
    await page.fill(sel('rewardRules[0].conditions[1].value'), '');
    await page.getByRole('button', { name: 'Collapse rule 1' }).click();
    const link = page.locator('[data-problem-path="rewardRules[0].conditions[1].value"] a');
    await link.waitFor();
    expect(await link.textContent()).toBe('Reward rule 1, condition 2: value');
    await link.click();
    await page.getByRole('button', { name: 'Collapse rule 1' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-path') === 'rewardRules[0].conditions[1].value');
    expect((await versionsOf('live-check')).length).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'problems-in-words.png'), fullPage: true });
  });

  it('reordering the rules (keyboard and drag) changes which rule wins in Simulate; money reads as money and rules are numbered from 1 everywhere', async () => {
    await newTab();
    await createProgram('reorder');
    await open('reorder', '&view=simulate');
    const facts: Record<string, string> = {
      'referral.created_at': '2025-10-01 10:00',
      'advocate.user_id': '5001',
      'advocate.toggles': 'student_challenge_2025',
      'invitee.user_id': '7001',
      'invitee.country': 'US',
      'invitee.signed_up_at': '2025-10-01 11:00',
      'lesson.id': 'lesson-1',
      'lesson.usd_amount': '45.30',
      'lesson.duration_minutes': '50',
      'lesson.sequence': '1',
      'lesson.completed_at': '2025-10-05 15:00',
      'event.sequence': '1',
    };
    async function simulate(): Promise<string> {
      await page.fill('[aria-label="At"]', '2025-10-05 15:00');
      for (const [p, v] of Object.entries(facts)) await page.fill(`[aria-label="${p}"]`, v);
      await page.selectOption('[aria-label="lesson.is_trial"]', 'false');
      await page.getByLabel('Use my unsaved edits').check();
      await page.getByRole('button', { name: 'Run simulation' }).click();
      await page.locator('[data-decision="rewarded"]').waitFor();
      return (await page.locator('[data-decision]').textContent()) ?? '';
    }
    const before = await simulate();
    expect(before).toContain('rule 1: Enhanced challenge reward');
    expect(before).toContain('5.66 USD');
    expect(before).not.toContain('amountMinor');
    expect(before).not.toMatch(/rule 0/);
    expect(await page.locator('[data-explanation]').textContent()).toContain('rule 1 "Enhanced challenge reward": matched');

    // Keyboard: focus "Move rule 2 up" and press Enter.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Move rule 2 up' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.inputValue(sel('rewardRules[0].description'))).toBe('Base challenge reward');
    await page.getByRole('link', { name: 'Simulate' }).click();
    const after = await simulate();
    expect(after).toContain('rule 1: Base challenge reward');
    expect(after).toContain('Grant to the referrer: 3.00 USD');

    // Drag: the handle of rule 2 dropped on rule 1 puts the enhanced rule first again.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.locator('[data-drag="rewardRules:1"]').dragTo(page.locator('[data-drop="rewardRules:0"]'));
    expect(await page.inputValue(sel('rewardRules[0].description'))).toBe('Enhanced challenge reward');
    await page.getByRole('link', { name: 'Simulate' }).click();
    expect(await simulate()).toContain('rule 1: Enhanced challenge reward');
  });

  it('changes status only through confirmed actions, and restores an old version as a new version', async () => {
    await newTab();
    await createProgram('status-actions');
    await open('status-actions');
    expect(await page.locator(sel('status')).count()).toBe(0);
    await page.getByRole('button', { name: 'Pause…' }).click();
    await page.getByLabel('Reason').fill('budget review');
    await page.locator('dialog[open]').getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-status]').getByText('paused').waitFor();
    expect((await versionsOf('status-actions'))[0]).toMatchObject({ version: 2, changeNote: 'Pause: budget review' });

    await page.fill(sel('name'), 'Challenge, renamed');
    await page.fill(sel('changeNote'), 'rename');
    await saveThroughDialog(page);
    await page.getByText('Saved version 3').waitFor();

    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('button', { name: 'Open version 2 in the editor' }).click();
    await page.getByText('Version 2 is open in the editor').waitFor();
    expect(await page.inputValue(sel('name'))).toBe('Challenge Based Rewards (student)');
    await saveThroughDialog(page);
    await page.waitForURL((u) => !u.search.includes('restore'));
    const versions = await versionsOf('status-actions');
    expect(versions[0]).toMatchObject({ version: 4, changeNote: 'restore version 2' });
    const current = (await apiCall(api, 'GET', '/v1/admin/programs/status-actions')).body;
    expect(current).toMatchObject({ status: 'paused', name: 'Challenge Based Rewards (student)' });
  });

  it('Simulate fills the facts of a real referral picked by a user id', async () => {
    await newTab();
    expect((await apiCall(api, 'POST', '/v1/admin/programs', { document: examplePrograms.kiloPass, author: 'operator:setup', changeNote: 'launch' })).status).toBe(201);
    const storefront = async (urlPath: string, body: unknown) => {
      const res = await fetch(`${api.url}${urlPath}`, { method: 'POST', headers: { authorization: `Bearer ${STOREFRONT_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBeLessThan(300);
    };
    await storefront('/v1/referral-codes', { programKey: examplePrograms.kiloPass.key, code: 'SIMFILL1', userId: 'u-sim-referrer' });
    await storefront('/v1/touches', { kind: 'referral', anonymousId: 'anon-sim-fill', product: 'kilo_pass', referralCode: 'SIMFILL1' });
    await storefront('/v1/signups', { product: 'kilo_pass', userId: 'u-sim-referee', anonymousId: 'anon-sim-fill', email: 'sim-fill@example.com' });

    await open(examplePrograms.kiloPass.key, '&view=simulate');
    await page.getByLabel('Referral user id').fill('u-sim-referrer');
    await page.getByRole('button', { name: 'Find referrals' }).click();
    const use = page.locator('[data-referrals] button').first();
    await use.waitFor();
    expect(await page.locator('[data-referrals]').textContent()).toContain('u-sim-referrer → u-sim-referee');
    await use.click();
    await page.locator('[data-filled-from]').waitFor();
    expect(await page.inputValue('[aria-label="referrer.user_id"]')).toBe('u-sim-referrer');
    expect(await page.inputValue('[aria-label="referee.user_id"]')).toBe('u-sim-referee');
    expect(await page.inputValue('[aria-label="referral.created_at"]')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it('works at 390 px and 1280 px without horizontal scrolling, a date field is at most two tab stops, and axe-core finds no serious violation', async () => {
    await newTab();
    await createProgram('layout', { status: 'draft' });
    const axeSource = readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await open('layout');
      await page.getByRole('button', { name: 'Expand all' }).first().click();
      await page.getByRole('button', { name: 'Expand all' }).nth(1).click();
      await page.getByRole('button', { name: 'Collapse rule 1' }).waitFor();
      const overflow = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, body: document.body.scrollWidth }));
      expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
      expect(overflow.body).toBeLessThanOrEqual(overflow.client);
      // No element sticks out of the page on the right (hidden overflow would hide it, not fix it).
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && e.getClientRects().length > 0)
          .map((e) => e.outerHTML.slice(0, 120)),
      );
      expect(outside).toEqual([]);
      await page.screenshot({ path: path.join(ARTIFACTS, `layout-editor-${width}.png`), fullPage: true });

      await page.addScriptTag({ content: axeSource });
      const serious = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect(serious).toEqual([]);
    }

    // The program list at 390 px: no horizontal overflow either.
    await page.setViewportSize({ width: 390, height: 900 });
    await page.goto(`${api.url}/admin/`);
    await page.locator('tr[data-program="layout"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-program-list-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'layout-program-list-1280.png'), fullPage: true });

    // Keyboard: the start date is one field, then one button, then the next date.
    await open('layout');
    await page.focus(sel('schedule.startAt'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Today');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-path'))).not.toBe('schedule.startAt');
  });
});
