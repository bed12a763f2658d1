import { examplePrograms } from '@referrals/rule-dsl';
import { useApiHarness } from './testing/api-harness';

const PROGRAM = 'challenge-based-rewards-student';
const CHALLENGE_FACTS = { advocate: { toggles: ['student_challenge_2025'] }, invitee: { country: 'US' } };

/**
 * Challenge Based Rewards (student), acceptance 5. The program ran from 2025-09-01 to 2026-01-01,
 * so the api's clock is pinned inside it (touches take the server's time).
 */
describe('Challenge Based Rewards over HTTP (acceptance 5)', () => {
  let now = new Date('2025-10-01T10:00:00Z');
  const api = useApiHarness({ clock: () => now });

  /** An advocate's invite link used by a student, then the student's signup an hour later. */
  async function invite(advocate: string, student: string, at: string, facts: object = CHALLENGE_FACTS) {
    now = new Date(at);
    const code = `INVITE-${advocate}-${student}`;
    await api.post('/v1/referral-codes', 'storefront', { programKey: PROGRAM, code, userId: advocate }).expect(201);
    await api.post('/v1/touches', 'storefront', { kind: 'referral', anonymousId: `anon-${student}`, product: 'tutoring', programKey: PROGRAM, referralCode: code }).expect(201);
    const signedUpAt = new Date(now.getTime() + 3_600_000).toISOString();
    // The server's clock moves on with the story: a signup or lesson dated ahead of it is refused.
    now = new Date(signedUpAt);
    const res = await api
      .post('/v1/signups', 'storefront', { product: 'tutoring', userId: student, anonymousId: `anon-${student}`, email: `student-${student}@example.com`, signedUpAt, facts })
      .expect(200);
    return res.body.referral as { status: string; reasons: string[]; programVersion: number | null; selection: { explanation: string[] }[] };
  }

  const lesson = (student: string, eventId: string, completedAt: string, usdAmount: string, sequence: number) => {
    now = new Date(completedAt);
    return api.post('/v1/events/lesson-completed', 'billing', {
      eventId,
      product: 'tutoring',
      userId: student,
      completedAt,
      lesson: { id: `lesson-${eventId}`, usdAmount, durationMinutes: 50, sequence, isTrial: false },
    });
  };

  beforeAll(async () => {
    await api.post('/v1/admin/programs', 'admin', { document: examplePrograms.challengeRewards, author: 'operator:test', changeNote: 'launch' }).expect(201);
  });

  it('qualifies a student invited by an opted-in advocate, pinning version 1', async () => {
    const referral = await invite('5001', '7001', '2025-10-01T10:00:00Z');
    expect(referral).toMatchObject({ status: 'qualified', programVersion: 1 });
  });

  it('gives the advocate the enhanced reward (12.5%) for a lesson of at least $40 inside the window', async () => {
    const res = await lesson('7001', 'evt-1', '2025-10-05T15:00:00Z', '45.30', 1).expect(200);
    expect(res.body.decision).toMatchObject({ code: 'rewarded', rule: { index: 0, description: 'Enhanced challenge reward' } });
    expect(res.body.rewards).toEqual([
      expect.objectContaining({ role: 'referrer', beneficiaryId: '5001', status: 'earned', kind: 'percent', percent: '12.5', baseMinor: 4530, amountMinor: 566, unit: 'USD' }),
    ]);
    expect(res.body.workflows).toEqual([]);
  });

  it('gives the base reward ($3) for a cheaper lesson: the first matching rule wins', async () => {
    const res = await lesson('7001', 'evt-2', '2025-10-06T15:00:00Z', '25.00', 2).expect(200);
    expect(res.body.decision).toMatchObject({ code: 'rewarded', rule: { index: 1, description: 'Base challenge reward' } });
    expect(res.body.rewards).toEqual([expect.objectContaining({ role: 'referrer', kind: 'fixed', amountMinor: 300, status: 'earned' })]);
  });

  it('gives nothing for a lesson after the 30-day attribution window of the invite', async () => {
    const res = await lesson('7001', 'evt-3', '2025-11-15T15:00:00Z', '60.00', 3).expect(200);
    expect(res.body).toMatchObject({ conversion: { winner: 'none', reason: 'no_valid_touch' }, decision: { code: 'not_attributed_to_referral' }, rewards: [] });
  });

  it('creates the referral of a blocklisted advocate without a program, with the reason, and rewards none of its lessons', async () => {
    const referral = await invite('4242', '7002', '2025-10-02T10:00:00Z');
    expect(referral).toMatchObject({ status: 'no_program', reasons: ['no_program_matched'], programVersion: null });
    expect(referral.selection[0]!.explanation.join('\n')).toMatch(/advocate\.user_id not_in challenge_user_blocklist.*not matched \(actual 4242\)/);
    const res = await lesson('7002', 'evt-blocked', '2025-10-05T15:00:00Z', '45.30', 1).expect(200);
    expect(res.body).toMatchObject({ decision: { code: 'referral_not_qualified' }, rewards: [] });
    const ops = await api.get('/v1/admin/ops', 'admin').expect(200);
    expect(ops.body.disqualifiedReferrals).toEqual([expect.objectContaining({ refereeUserId: '7002', referrerUserId: '4242', status: 'no_program', reasons: ['no_program_matched'] })]);
  });

  it('creates no program referral for an advocate who did not opt in (the toggle is off)', async () => {
    const referral = await invite('5004', '7004', '2025-10-03T10:00:00Z', { advocate: { toggles: [] }, invitee: { country: 'US' } });
    expect(referral).toMatchObject({ status: 'no_program', reasons: ['no_program_matched'] });
  });

  it('decides lessons after the program\'s end as outside the reward window (version 2, 120-day attribution window), while version 1 referrals keep v1', async () => {
    const v2 = { ...structuredClone(examplePrograms.challengeRewards), limits: { attributionWindowDays: 120, firstQualifyingEventOnly: false } };
    await api.put(`/v1/admin/programs/${PROGRAM}`, 'admin', { document: v2, author: 'operator:test', changeNote: 'longer attribution', expectedVersion: 1 }).expect(200);
    const referral = await invite('5003', '7003', '2025-11-20T10:00:00Z');
    expect(referral).toMatchObject({ status: 'qualified', programVersion: 2 });
    const inside = await lesson('7003', 'evt-v2-in', '2025-12-15T15:00:00Z', '40.00', 1).expect(200);
    expect(inside.body.decision).toMatchObject({ code: 'rewarded', programVersion: 2, rule: { index: 0 } });
    expect(inside.body.rewards).toEqual([expect.objectContaining({ amountMinor: 500 })]);
    const after = await lesson('7003', 'evt-v2-out', '2026-01-10T15:00:00Z', '45.00', 2).expect(200);
    expect(after.body).toMatchObject({ conversion: { winner: 'referral' }, decision: { code: 'outside_reward_window', programVersion: 2 }, rewards: [] });
    // The first student's referral stays on version 1 (30-day window): a lesson 45 days on is still not attributed.
    const old = await lesson('7001', 'evt-v1-late', '2025-11-16T15:00:00Z', '45.00', 4).expect(200);
    expect(old.body.decision.code).toBe('not_attributed_to_referral');
  });
});
