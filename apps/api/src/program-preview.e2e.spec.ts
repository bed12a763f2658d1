import { examplePrograms, type ProgramDocument } from '@referrals/rule-dsl';
import { QueryTypes } from 'sequelize';
import { useApiHarness } from './testing/api-harness';

const PROGRAM = 'challenge-based-rewards-student';
const CHALLENGE_FACTS = { advocate: { toggles: ['student_challenge_2025'] }, invitee: { country: 'US' } };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2025-10-01T00:00:00Z');
const RANGE = { from: '2025-09-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };

/** The Challenge program's rewards by hand: 12.5% (enhanced, >= $40) and 15% (the draft), half-up, in cents; else the $3 base. */
const AMOUNTS = ['25.00', '40.00', '45.30', '60.00', '39.99', '80.00'] as const;
const ENHANCED_NOW: Record<string, number> = { '40.00': 500, '45.30': 566, '60.00': 750, '80.00': 1000 };
const ENHANCED_AT_15: Record<string, number> = { '40.00': 600, '45.30': 680, '60.00': 900, '80.00': 1200 };
const BASE = 300;

const ADVOCATES = 8;
const STUDENTS_PER_ADVOCATE = 2;
const LESSONS_PER_STUDENT = 13;

interface FixtureLesson {
  conversionId: string;
  advocate: string;
  student: string;
  completedAt: string;
  usdAmount: (typeof AMOUNTS)[number];
  isTrial: boolean;
}

/** 8 advocates x 2 students x 13 lessons = 208 lessons, every one inside its invite's 30-day window; distinct instants. */
function fixtureLessons(): FixtureLesson[] {
  const lessons: FixtureLesson[] = [];
  for (let k = 0; k < ADVOCATES * STUDENTS_PER_ADVOCATE; k++) {
    const advocate = String(5001 + Math.floor(k / STUDENTS_PER_ADVOCATE));
    const student = String(7001 + k);
    for (let j = 0; j < LESSONS_PER_STUDENT; j++) {
      const eventId = `evt-${student}-${j}`;
      lessons.push({
        conversionId: `lesson-events:${eventId}`,
        advocate,
        student,
        completedAt: new Date(T0 + k * HOUR + 2 * HOUR + j * DAY).toISOString(),
        usdAmount: AMOUNTS[(k + j) % AMOUNTS.length] as (typeof AMOUNTS)[number],
        isTrial: (k * LESSONS_PER_STUDENT + j) % 7 === 3,
      });
    }
  }
  return lessons.sort((a, b) => a.completedAt.localeCompare(b.completedAt));
}

const mutable = (): ProgramDocument => structuredClone(examplePrograms.challengeRewards) as ProgramDocument;

describe('decision records and program-change preview (issue 18)', () => {
  let now = new Date(T0);
  const api = useApiHarness({ clock: () => now });
  const lessons = fixtureLessons();

  async function tableRowCounts(): Promise<Record<string, number>> {
    const tables = await api.services.sequelize.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", {
      type: QueryTypes.SELECT,
    });
    const counts: Record<string, number> = {};
    for (const { tablename } of tables) {
      const [row] = await api.services.sequelize.query<{ n: string }>(`SELECT count(*) AS n FROM "${tablename}"`, { type: QueryTypes.SELECT });
      counts[tablename] = Number(row?.n);
    }
    return counts;
  }

  const preview = (document: unknown, extra: object = {}) => api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', { document, ...RANGE, ...extra });

  beforeAll(async () => {
    await api.post('/v1/admin/programs', 'admin', { document: examplePrograms.challengeRewards, author: 'operator:test', changeNote: 'launch' }).expect(201);
    for (let k = 0; k < ADVOCATES * STUDENTS_PER_ADVOCATE; k++) {
      const advocate = String(5001 + Math.floor(k / STUDENTS_PER_ADVOCATE));
      const student = String(7001 + k);
      now = new Date(T0 + k * HOUR);
      const code = `INVITE-${advocate}-${student}`;
      await api.post('/v1/referral-codes', 'storefront', { programKey: PROGRAM, code, userId: advocate }).expect(201);
      await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: `anon-${student}`, product: 'tutoring', programKey: PROGRAM, referralCode: code }).expect(201);
      const signedUpAt = new Date(now.getTime() + HOUR).toISOString();
      now = new Date(signedUpAt);
      const signup = await api
        .post('/v1/signups', 'storefront', { product: 'tutoring', userId: student, anonymousId: `anon-${student}`, email: `s-${student}@example.com`, signedUpAt, facts: CHALLENGE_FACTS })
        .expect(200);
      expect(signup.body.referral).toMatchObject({ status: 'qualified', programVersion: 1 });
    }
    now = new Date('2026-02-01T00:00:00Z');
    for (const [i, lesson] of lessons.entries()) {
      const res = await api
        .post('/v1/events/lesson-completed', 'billing', {
          eventId: lesson.conversionId.slice('lesson-events:'.length),
          product: 'tutoring',
          userId: lesson.student,
          completedAt: lesson.completedAt,
          lesson: { id: `lesson-${i}`, usdAmount: lesson.usdAmount, durationMinutes: 50, sequence: i + 1, isTrial: lesson.isTrial },
        })
        .expect(200);
      expect(res.body.decision.code).toBe('rewarded');
    }
  }, 300_000);

  it('stores each decision with the facts the rules saw, the pinned version, the rule and the per-condition explanation; GET conversion shows it', async () => {
    const lesson = lessons.find((l) => l.usdAmount === '45.30') as FixtureLesson;
    const res = await api.get(`/v1/admin/conversions/${lesson.conversionId}`, 'admin').expect(200);
    const decision = res.body.decision;
    expect(decision).toMatchObject({
      eventType: 'lesson.completed',
      occurredAt: lesson.completedAt,
      programKey: PROGRAM,
      programVersion: 1,
      code: 'rewarded',
      rule: { index: 0, description: 'Enhanced challenge reward' },
      rewards: [{ role: 'referrer', status: 'earned', kind: 'percent', amountMinor: 566, unit: 'USD' }],
    });
    // The exact facts: the lesson as sent, the engine's facts, the advocate's id put back from its column.
    expect(decision.facts).toMatchObject({ lesson: { usd_amount: '45.30', is_trial: lesson.isTrial }, advocate: { user_id: Number(lesson.advocate) }, invitee: { user_id: Number(lesson.student) } });
    const conditions = decision.explanation.rules[0].conditions;
    expect(conditions).toContainEqual(expect.objectContaining({ subject: 'lesson.usd_amount', operator: 'gte', outcome: 'matched', actual: '45.30' }));
    expect(decision.lines.join('\n')).toMatch(/lesson\.usd_amount gte "40\.00": matched \(actual "45\.30"\)/);
  });

  it('keeps user ids out of the stored facts and explanations: they live in the columns an erasure anonymizes', async () => {
    const [row] = await api.services.sequelize.query<{ with_ids: string; total: string }>(
      `SELECT count(*) FILTER (WHERE facts->'advocate' ? 'user_id' OR facts->'invitee' ? 'user_id' OR explanation::text LIKE '%"actual": 50%') AS with_ids,
              count(*) AS total FROM rewarding_decision_records WHERE referrer_user_id IS NOT NULL`,
      { type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ with_ids: '0', total: String(lessons.length) });
  });

  it('a draft raising the enhanced reward to 15% shows exactly the difference computed by hand over 208 events, and writes nothing', async () => {
    expect(lessons.length).toBeGreaterThanOrEqual(200);
    const before = await tableRowCounts();
    const draft = mutable();
    (draft.rewardRules[0] as { reward: { percent: string } }).reward.percent = '15';
    const res = await preview(draft).expect(200);

    const enhanced = lessons.filter((l) => l.usdAmount in ENHANCED_NOW);
    const nowTotal = lessons.reduce((sum, l) => sum + (ENHANCED_NOW[l.usdAmount] ?? BASE), 0);
    const draftTotal = lessons.reduce((sum, l) => sum + (ENHANCED_AT_15[l.usdAmount] ?? BASE), 0);
    expect(res.body).toMatchObject({
      program: { key: PROGRAM, product: 'tutoring', draftVersion: null },
      events: lessons.length,
      reDecided: lessons.length,
      rewarded: { now: lessons.length, draft: lessons.length },
      amountMinorByCurrency: { USD: { now: nowTotal, draft: draftTotal } },
      capLimited: { now: 0, draft: 0 },
      changed: enhanced.length,
    });
    expect(draftTotal - nowTotal).toBe(enhanced.reduce((sum, l) => sum + (ENHANCED_AT_15[l.usdAmount] as number) - (ENHANCED_NOW[l.usdAmount] as number), 0));
    expect(res.body.byRule).toEqual({
      now: [
        { index: 0, description: 'Enhanced challenge reward', events: enhanced.length },
        { index: 1, description: 'Base challenge reward', events: lessons.length - enhanced.length },
      ],
      draft: [
        { index: 0, description: 'Enhanced challenge reward', events: enhanced.length },
        { index: 1, description: 'Base challenge reward', events: lessons.length - enhanced.length },
      ],
    });
    const first = res.body.changes[0];
    expect(first.conversionId).toBe(enhanced[0]?.conversionId);
    expect(first.now.rewards[0].amountMinor).toBe(ENHANCED_NOW[enhanced[0]?.usdAmount as string]);
    expect(first.draft.rewards[0].amountMinor).toBe(ENHANCED_AT_15[enhanced[0]?.usdAmount as string]);
    expect(await tableRowCounts()).toEqual(before);
  });

  it('a draft adding a blocking condition shows the events it would have refused, with both explanations', async () => {
    const draft = mutable();
    for (const rule of draft.rewardRules) (rule.conditions as object[]).push({ subject: 'lesson.is_trial', operator: 'is_false' });
    const res = await preview(draft, { sampleSize: 100 }).expect(200);
    const trials = lessons.filter((l) => l.isTrial);
    expect(trials.length).toBeGreaterThan(10);
    expect(res.body).toMatchObject({ events: lessons.length, rewarded: { now: lessons.length, draft: lessons.length - trials.length }, changed: trials.length });
    expect(res.body.changes.map((c: { conversionId: string }) => c.conversionId)).toEqual(trials.map((l) => l.conversionId));
    for (const change of res.body.changes) {
      expect(change.now).toMatchObject({ code: 'rewarded' });
      expect(change.draft).toMatchObject({ code: 'no_rule_matched', rule: null, rewards: [] });
      expect(change.draft.lines.join('\n')).toMatch(/lesson\.is_trial is_false: not matched \(actual true\)/);
      expect(change.now.lines.join('\n')).toMatch(/rule \d .*: matched/);
    }
  });

  it('a draft with a referrer cap of 3 shows the cap-limited events in time order', async () => {
    const draft = mutable();
    draft.limits = { ...draft.limits, referrerRewardCap: 3 };
    const res = await preview(draft, { sampleSize: 100 }).expect(200);
    const used = new Map<string, number>();
    const expected: string[] = [];
    for (const lesson of lessons) {
      const n = used.get(lesson.advocate) ?? 0;
      used.set(lesson.advocate, n + 1);
      if (n >= 3) expected.push(lesson.conversionId);
    }
    expect(res.body.capLimited).toEqual({ now: 0, draft: lessons.length - 3 * ADVOCATES });
    expect(res.body.rewarded).toEqual({ now: lessons.length, draft: lessons.length });
    expect(res.body.capLimitedEvents.map((e: { conversionId: string }) => e.conversionId)).toEqual(expected.slice(0, 100));
    const granted = lessons.filter((l) => !expected.includes(l.conversionId)).reduce((sum, l) => sum + (ENHANCED_NOW[l.usdAmount] ?? BASE), 0);
    expect(res.body.amountMinorByCurrency.USD.draft).toBe(granted);
  });

  it('a range that ends earlier re-decides only its events; a stored version previews like its document', async () => {
    const draft = mutable();
    (draft.rewardRules[0] as { reward: { percent: string } }).reward.percent = '15';
    await api.put(`/v1/admin/programs/${PROGRAM}`, 'admin', { document: draft, expectedVersion: 1, author: 'operator:test', changeNote: '15%' }).expect(200);
    const to = lessons[50]?.completedAt as string;
    const res = await api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', { version: 2, from: RANGE.from, to }).expect(200);
    expect(res.body).toMatchObject({ program: { draftVersion: 2 }, events: 50, rewarded: { now: 50, draft: 50 } });
    expect(res.body.changed).toBe(lessons.slice(0, 50).filter((l) => l.usdAmount in ENHANCED_NOW).length);
  });

  it('streams its progress as lines of JSON when asked (Accept: application/x-ndjson), then the same result; a refusal before the first line stays a JSON error', async () => {
    const draft = mutable();
    (draft.rewardRules[0] as { reward: { percent: string } }).reward.percent = '15';
    const ndjson = (body: object) =>
      api
        .post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', body)
        .set('accept', 'application/x-ndjson')
        .buffer(true)
        .parse((res, done) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => done(null, text));
        });
    const streamed = await ndjson({ document: draft, ...RANGE }).expect(200);
    expect(streamed.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = (streamed.body as string).trim().split('\n').map((line) => JSON.parse(line) as { type: string; events?: number; total?: number; preview?: unknown });
    const progress = lines.filter((l) => l.type === 'progress');
    // Counted first (0 of the total), then after each batch, never going back, ending at the total.
    expect(progress[0]).toEqual({ type: 'progress', events: 0, total: lessons.length });
    expect(progress.at(-1)).toEqual({ type: 'progress', events: lessons.length, total: lessons.length });
    expect(progress.every((p, i) => i === 0 || (p.events ?? 0) >= (progress[i - 1]?.events ?? 0))).toBe(true);
    expect(lines.at(-1)?.type).toBe('result');
    const plain = await preview(draft).expect(200);
    expect(lines.at(-1)?.preview).toEqual(plain.body);

    const invalid = { ...mutable(), key: 'another-program' };
    const refused = await api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', { document: invalid, ...RANGE }).set('accept', 'application/x-ndjson').expect(422);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.body.error.code).toBe('program_key_mismatch');
  });

  it('refuses bad requests with a code and a path, and other roles', async () => {
    const invalid = mutable() as unknown as Record<string, unknown>;
    invalid['trigger'] = 'payment.succeeded';
    const bad = await preview(invalid).expect(422);
    expect(bad.body.error.code).toBe('program_invalid');
    expect(bad.body.error.details[0].path).toMatch(/^body\.document\./);
    const other = { ...mutable(), key: 'another-program' };
    expect((await preview(other).expect(422)).body.error).toMatchObject({ code: 'program_key_mismatch', details: [{ path: 'body.document.key' }] });
    expect((await api.post('/v1/admin/programs/no-such-program/preview', 'admin', { version: 1, ...RANGE }).expect(404)).body.error.code).toBe('program_not_found');
    expect((await api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', { version: 1, from: RANGE.to, to: RANGE.from }).expect(400)).body.error.details[0].path).toBe('body.to');
    await api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'admin', { document: mutable(), version: 1, ...RANGE }).expect(400);
    await api.post(`/v1/admin/programs/${PROGRAM}/preview`, 'storefront', { version: 1, ...RANGE }).expect(403);
  });
});
