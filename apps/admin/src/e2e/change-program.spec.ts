import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Condition, type ProgramDocument, examplePrograms } from '@referrals/rule-dsl';
import { type Browser, type Page } from 'playwright-core';
import { documentToForm } from '../app/form';
import { ARTIFACTS, type ApiProcess, apiCall, buildConsole, requireChromium, saveThroughDialog, startApi, launchChromium, signIn } from './api-process';

jest.setTimeout(180_000);

const fixture = examplePrograms.challengeRewards;
const sel = (p: string) => `[data-path="${p}"]`;

/**
 * The admin console in a real browser (Debian's Chromium driven by playwright-core) against the
 * real api process serving the built page at /admin.
 */
describe('admin console: Change referral program (Chromium)', () => {
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    requireChromium();
    buildConsole();
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startApi();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, api);
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function fillCondition(p: string, c: Condition) {
    if ('predicate' in c) {
      await page.selectOption(sel(`${p}.predicate`), c.predicate);
      return;
    }
    await page.selectOption(sel(`${p}.subject`), c.subject);
    await page.selectOption(sel(`${p}.operator`), c.operator);
    if (c.term !== undefined) await page.selectOption(sel(`${p}.term`), c.term);
    else if (c.value !== undefined) await page.fill(sel(`${p}.value`), Array.isArray(c.value) ? c.value.join(', ') : String(c.value));
  }

  async function fillConditions(listPath: string, conditions: readonly Condition[], firstExists = false) {
    for (const [i, c] of conditions.entries()) {
      if (i > 0 || !firstExists) await page.click(`[data-add="${listPath}"]`);
      await fillCondition(`${listPath}[${i}]`, c);
    }
  }

  const utc = (iso: string) => iso.slice(0, 16);

  it('builds Challenge Based Rewards from an empty form through the UI alone; after a reload the same program is shown and equals the fixture', async () => {
    await page.getByRole('button', { name: 'New program' }).click();
    await page.getByRole('heading', { name: 'Change referral program' }).waitFor();
    await page.fill(sel('key'), fixture.key);
    await page.fill(sel('name'), fixture.name);
    await page.fill(sel('description'), fixture.description ?? '');
    await page.selectOption(sel('product'), fixture.product);
    await page.selectOption(sel('status'), fixture.status);
    await page.fill(sel('priority'), String(fixture.priority));
    await page.fill(sel('schedule.startAt'), utc(fixture.schedule.startAt));
    await page.fill(sel('schedule.frozenAt'), utc(fixture.schedule.frozenAt));
    await page.fill(sel('schedule.endAt'), utc(fixture.schedule.endAt));

    for (const [i, term] of fixture.terms.entries()) {
      const p = `terms[${i}]`;
      await page.click('[data-add="terms"]');
      await page.fill(sel(`${p}.name`), term.name);
      if (term.description) await page.fill(sel(`${p}.description`), term.description);
      await page.selectOption(sel(`${p}.kind`), term.kind);
      if (term.kind === 'value') {
        await page.selectOption(sel(`${p}.datatype`), term.datatype);
        await page.fill(sel(`${p}.value`), Array.isArray(term.value) ? term.value.join(', ') : String(term.value));
      } else {
        await page.getByRole('button', { name: `Expand ${term.name}` }).click();
        for (const [b, branch] of term.branches.entries()) {
          if (b > 0) await page.click(`[data-add-branch="${p}"]`);
          await fillConditions(`${p}.branches[${b}]`, branch, true);
        }
      }
    }
    await fillConditions('eligibility', fixture.eligibility);
    expect(await page.locator(`${sel('eligibility[0].subject')} option`).allTextContents()).not.toContainEqual(expect.stringMatching(/^lesson\./));

    for (const [i, rule] of fixture.rewardRules.entries()) {
      const p = `rewardRules[${i}]`;
      await page.click('[data-add="rewardRules"]');
      await page.selectOption(sel(`${p}.reward.type`), rule.reward.type);
      await page.selectOption(sel(`${p}.beneficiary`), rule.beneficiary);
      if (rule.reward.type === 'percent') {
        await page.fill(sel(`${p}.reward.percent`), String(rule.reward.percent));
        await page.selectOption(sel(`${p}.reward.of`), rule.reward.of);
        await page.fill(sel(`${p}.reward.currency`), rule.reward.currency ?? '');
      } else if (rule.reward.type === 'fixed') {
        await page.fill(sel(`${p}.reward.amount`), (rule.reward.amount.amountMinor / 100).toFixed(2));
        await page.fill(sel(`${p}.reward.currency`), rule.reward.amount.currency);
      }
      await page.selectOption(sel(`${p}.initialStatus`), rule.initialStatus);
      await page.fill(sel(`${p}.description`), rule.description);
      await page.getByRole('button', { name: `Expand rule ${i + 1}` }).click();
      await fillConditions(`${p}.conditions`, rule.conditions);
    }
    await page.fill(sel('limits.attributionWindowDays'), String(fixture.limits.attributionWindowDays));
    await page.selectOption(sel('fulfilment.kind'), fixture.fulfilment.kind);
    await page.fill(sel('changeNote'), 'launch the student challenge');
    await saveThroughDialog(page);
    await page.waitForURL(/program=challenge-based-rewards-student/);
    await page.getByText('(tutoring - active) · version 1').waitFor();

    await page.reload();
    await page.getByText('Challenge Based Rewards (student) (tutoring - active) · version 1').waitFor();
    expect(await page.inputValue(sel('terms[0].value'))).toBe('US, CA, GB, AU, IE, NZ');
    expect(await page.inputValue(sel('rewardRules[0].reward.percent'))).toBe('12.5');
    const stored = await apiCall(api, 'GET', `/v1/admin/programs/${fixture.key}`);
    expect(stored.status).toBe(200);
    expect(stored.body['document']).toEqual(fixture);
    await shot('main-screen');

    await page.getByRole('button', { name: 'Expand inviting_window_active' }).click();
    await page.locator(sel('terms[3].branches[0][1].operator')).waitFor();
    await shot('expanded-predicate');
  });

  it('offers no contains for a datetime subject, and no lesson fact in Eligibility', async () => {
    const operators = await page.locator(`${sel('terms[3].branches[0][0].operator')} option`).allTextContents();
    // Operators read as words; their codes are the options' values.
    expect(operators).toEqual(expect.arrayContaining(['is less than', 'is at least']));
    expect(operators).not.toContain('contains');
    const codes = await page.locator(`${sel('terms[3].branches[0][0].operator')} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(codes).toEqual(expect.arrayContaining(['lt', 'gte']));
    expect(codes).not.toContain('contains');
    const subjects = await page.locator(`${sel('eligibility[0].subject')} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(subjects).toContain('advocate.user_id');
    expect(subjects.filter((s) => s.startsWith('lesson.'))).toEqual([]);
  });

  it('edit and save twice: History shows three versions with author, time and note, and the diff names the changed condition', async () => {
    await page.goto(`${api.url}/admin/?program=${fixture.key}`);
    await page.getByText('· version 1').waitFor();
    for (const [threshold, note, version] of [
      ['45.00', 'raise the enhanced threshold', 2],
      ['42.50', 'settle the enhanced threshold', 3],
    ] as const) {
      await page.getByRole('button', { name: 'Expand rule 1' }).click();
      await page.fill(sel('rewardRules[0].conditions[1].value'), threshold);
      await page.fill(sel('changeNote'), note);
      await saveThroughDialog(page);
      await page.getByText(`Saved version ${version}`).waitFor();
      await page.getByRole('button', { name: 'Collapse rule 1' }).click();
    }
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    const rows = page.locator('table.history tbody tr');
    await rows.nth(2).waitFor();
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain('settle the enhanced threshold');
    expect(await rows.nth(2).textContent()).toContain('launch the student challenge');
    expect(await rows.nth(0).textContent()).toContain('operator:admin');
    await page.selectOption('[aria-label="From version"]', '1');
    await page.selectOption('[aria-label="To version"]', '3');
    await page.getByRole('button', { name: 'Show diff' }).click();
    const diff = page.locator('[data-diff]');
    await diff.waitFor();
    const text = (await diff.textContent()) ?? '';
    expect(text).toContain('lesson.usd_amount');
    expect(text).toMatch(/42\.5/);
    await shot('history');
  });

  it('simulates a lesson that matches the enhanced rule, and a referral that matches none, with actual vs expected', async () => {
    await page.getByRole('link', { name: 'Simulate' }).click();
    await page.getByRole('heading', { name: 'Simulate' }).waitFor();
    const fact = (p: string) => `[aria-label="${p}"]`;
    await page.fill('[aria-label="At"]', '2025-10-05T15:00');
    const facts: Record<string, string> = {
      'referral.created_at': '2025-10-01T10:00',
      'advocate.user_id': '5001',
      'advocate.toggles': 'student_challenge_2025',
      'invitee.user_id': '7001',
      'invitee.country': 'US',
      'invitee.signed_up_at': '2025-10-01T11:00',
      'lesson.id': 'lesson-1',
      'lesson.usd_amount': '45.30',
      'lesson.duration_minutes': '50',
      'lesson.sequence': '1',
      'lesson.completed_at': '2025-10-05T15:00',
      'event.sequence': '1',
    };
    for (const [p, v] of Object.entries(facts)) await page.fill(fact(p), v);
    await page.selectOption(fact('lesson.is_trial'), 'false');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    const decision = page.locator('[data-decision]');
    await decision.waitFor();
    expect(await decision.getAttribute('data-decision')).toBe('rewarded');
    expect(await decision.textContent()).toContain('rule 1: Enhanced challenge reward');

    // A cheaper lesson: the enhanced rule's threshold fails (expected vs actual), the base rule wins.
    await page.fill(fact('lesson.usd_amount'), '30.00');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByText('rule 2: Base challenge reward').waitFor();
    expect((await page.locator('[data-explanation] li.failed').allTextContents()).join('\n')).toMatch(/lesson\.usd_amount is at least \(gte\) "?42\.50"?: not matched \(actual "?30\.00"?\)/);

    // An advocate on the blocklist: eligibility matches nothing; the failed condition with expected and actual.
    await page.selectOption('[aria-label="Phase"]', 'eligibility');
    await page.fill('[aria-label="At"]', '2025-10-01T10:00');
    await page.fill(fact('advocate.user_id'), '4242');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.locator('[data-decision="conditions_not_met"]').waitFor();
    const failed = await page.locator('[data-explanation] li.failed').allTextContents();
    expect(failed.join('\n')).toMatch(/advocate\.user_id is not one of \(not_in\) challenge_user_blocklist.*not matched \(actual 4242\)/);
    await shot('simulate');
  });

  it('duplicates a program into a new draft and saves it as a program of its own', async () => {
    await page.goto(`${api.url}/admin/?program=${fixture.key}`);
    await page.getByText('· version 3').waitFor();
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByText('Challenge Based Rewards (student) (copy) (tutoring - draft)').waitFor();
    expect(await page.inputValue(sel('key'))).toBe(`${fixture.key}-copy`);
    await page.fill(sel('changeNote'), 'a copy for the next term');
    await saveThroughDialog(page);
    await page.waitForURL(/program=challenge-based-rewards-student-copy/);
    const copy = await apiCall(api, 'GET', `/v1/admin/programs/${fixture.key}-copy`);
    expect(copy.body).toMatchObject({ version: 1, status: 'draft', name: 'Challenge Based Rewards (student) (copy)' });
    expect((copy.body['document'] as { rewardRules: unknown[] }).rewardRules).toHaveLength(2);
  });

  it('rejects a program with a lesson fact in Eligibility (api and page), showing the error at that field', async () => {
    const bad = structuredClone(fixture) as unknown as { key: string; eligibility: Condition[] };
    bad.key = 'challenge-with-lesson-fact';
    bad.eligibility = [{ subject: 'lesson.usd_amount', operator: 'gte', value: '40.00' }, ...bad.eligibility];
    const posted = await apiCall(api, 'POST', '/v1/admin/programs', { document: bad, author: 'operator:e2e', changeNote: 'bad' });
    expect(posted.status).toBe(422);
    expect(JSON.stringify(posted.body)).toContain('body.document.eligibility[0].subject');

    // The same document opened in the page (a draft, as Duplicate makes one) and saved: the subject shows as not
    // available here, nothing is stored, and the problem is shown at that field.
    const draft = { ...documentToForm(bad as unknown as ProgramDocument), name: 'Challenge with a lesson fact' };
    await page.evaluate((json) => sessionStorage.setItem('referrals.duplicate', json), JSON.stringify(draft));
    await page.goto(`${api.url}/admin/?program=new`);
    await page.getByText('Challenge with a lesson fact (tutoring - active)').waitFor();
    expect(await page.locator(`${sel('eligibility[0].subject')} option:checked`).textContent()).toBe('lesson.usd_amount (not available here)');
    const offered = await page.locator(`${sel('eligibility[1].subject')} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).not.toContain('lesson.usd_amount');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('[data-problem-for="eligibility[0].subject"]').waitFor();
    await page.fill(sel('changeNote'), 'should not be stored');
    await saveThroughDialog(page);
    await page.getByText('Not saved:').first().waitFor();
    const problem = page.locator('[data-problem-for="eligibility[0].subject"]');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/phase|eligibility/i);
    expect((await apiCall(api, 'GET', `/v1/admin/programs/${bad.key}`)).status).toBe(404);
    await shot('validation-error');
  });
});
