import { useTestDatabase } from '@referrals/db/testing';
import { programsMigrations } from '@referrals/programs';
import { attributionMigrations } from './attribution.migrations';
import { AUTHOR, buildHarness, challengeRewards, defined, type Harness, type Person, uid } from './testing/attribution-fixtures';

const CHALLENGE = 'challenge-based-rewards-student';
const FALLBACK = 'tutoring-open-referrals';
const VIP = 'tutoring-vip-referrals';
const IN_WINDOW = '2025-10-01T12:00:00.000Z';
const FROZEN_AT = '2025-12-01T00:00:00.000Z';

/** A tutoring program open all of 2025-2026 whose eligibility is `eligibility`. */
function openProgram(key: string, priority: number, eligibility = challengeRewards().eligibility.slice(0, 0)) {
  return challengeRewards({
    key,
    name: key,
    priority,
    schedule: { startAt: '2025-01-01T00:00:00Z', frozenAt: '2027-01-01T00:00:00Z', endAt: '2028-01-01T00:00:00Z' },
    eligibility,
  });
}

/** An invitee arriving anonymously through `code` a minute before signing up at `at`. */
async function inviteeSignsUp(h: Harness, code: string, invitee: Person, at: string) {
  const userId = uid('student');
  h.people.set(userId, invitee);
  const anonymousId = uid('anon');
  h.clock.set(new Date(new Date(at).getTime() - 60_000));
  await h.attribution.captureTouch({ kind: 'referral', anonymousId, product: 'tutoring', referralCode: code });
  h.clock.set(at);
  h.factsRequests.length = 0;
  const { referral } = await h.attribution.recordSignup({ product: 'tutoring', userId, anonymousId, email: `${userId}@example.com` });
  return { referral: defined(referral, 'referral'), asked: h.factsRequests.map((r) => r.program.key) };
}

describe('program selection at signup', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;

  beforeAll(async () => {
    h = buildHarness(db.sequelize, IN_WINDOW);
    await h.programs.save({ document: challengeRewards(), author: AUTHOR, changeNote: 'Launch' });
    await h.programs.save({ document: openProgram(FALLBACK, 30), author: AUTHOR, changeNote: 'Fallback' });
    await h.programs.save({
      document: openProgram(VIP, 5, [{ subject: 'advocate.toggles', operator: 'contains', value: 'vip' }]),
      author: AUTHOR,
      changeNote: 'VIP',
    });
    // A draft with the best priority and no conditions: never chosen while not active.
    await h.programs.save({ document: { ...openProgram('tutoring-draft', 1), status: 'draft' }, author: AUTHOR, changeNote: 'Draft' });

    const advocates: [string, string, Person][] = [
      ['ok', 'ADV-OK', { numericId: 501, toggles: ['student_challenge_2025'] }],
      ['blocked', 'ADV-BLOCKED', { numericId: 1001, toggles: ['student_challenge_2025'] }],
      ['no-toggle', 'ADV-NO-TOGGLE', { numericId: 502, toggles: ['another_toggle'] }],
      ['vip', 'ADV-VIP', { numericId: 503, toggles: ['student_challenge_2025', 'vip'] }],
      ['no-id', 'ADV-NO-ID', { toggles: ['student_challenge_2025'] }],
    ];
    for (const [userId, code, person] of advocates) {
      h.people.set(userId, person);
      // The advocate's code exists in every program, as the widget of each program would issue it.
      for (const programKey of [CHALLENGE, FALLBACK, VIP]) await h.attribution.registerReferralCode({ programKey, code, userId });
    }
  });

  it('the lowest priority number whose eligibility matches wins; programs after it are not evaluated', async () => {
    const { referral, asked } = await inviteeSignsUp(h, 'ADV-VIP', { numericId: 9001, country: 'US' }, IN_WINDOW);
    expect(referral).toMatchObject({ status: 'qualified', programKey: VIP, programVersion: 1 });
    expect(asked).toEqual([VIP]);
  });

  it('a higher-priority program whose eligibility fails gives way to the next one', async () => {
    const { referral, asked } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9002, country: 'US' }, IN_WINDOW);
    expect(referral).toMatchObject({ status: 'qualified', programKey: CHALLENGE });
    expect(referral.selection.map((s) => [s.programKey, s.priority, s.code])).toEqual([
      [VIP, 5, 'conditions_not_met'],
      [CHALLENGE, 20, 'eligible'],
    ]);
    expect(asked).toEqual([VIP, CHALLENGE]);
  });

  describe("the Challenge program's checks", () => {
    it('an advocate on the challenge blocklist is not eligible: the next program applies', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-BLOCKED', { numericId: 9003, country: 'US' }, IN_WINDOW);
      expect(referral.programKey).toBe(FALLBACK);
      const challenge = defined(referral.selection.find((s) => s.programKey === CHALLENGE));
      expect(challenge.code).toBe('conditions_not_met');
      expect(challenge.explanation.join('\n')).toMatch(/advocate_not_blocked[\s\S]*advocate\.user_id/);
    });

    it('an advocate without the challenge toggle is not eligible', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-NO-TOGGLE', { numericId: 9004, country: 'US' }, IN_WINDOW);
      expect(referral.programKey).toBe(FALLBACK);
      expect(defined(referral.selection.find((s) => s.programKey === CHALLENGE)).explanation.join('\n')).toMatch(/advocate_has_challenge_toggle/);
    });

    it('an invitee outside the eligible countries is not eligible', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9005, country: 'FR' }, IN_WINDOW);
      expect(referral.programKey).toBe(FALLBACK);
      expect(defined(referral.selection.find((s) => s.programKey === CHALLENGE)).explanation.join('\n')).toMatch(/invitee\.country/);
    });

    it('an invitee on the challenge blocklist is not eligible', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 4242, country: 'US' }, IN_WINDOW);
      expect(referral.programKey).toBe(FALLBACK);
    });

    it('facts the host could not supply make the program undecidable, never eligible', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-NO-ID', { numericId: 9006, country: 'US' }, IN_WINDOW);
      expect(defined(referral.selection.find((s) => s.programKey === CHALLENGE)).code).toBe('facts_invalid');
      expect(referral.programKey).toBe(FALLBACK);
    });

    it('a signup one millisecond before frozenAt still joins the Challenge', async () => {
      const { referral } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9007, country: 'CA' }, '2025-11-30T23:59:59.999Z');
      expect(referral.programKey).toBe(CHALLENGE);
    });

    it('a signup at or after frozenAt creates no new referral into the Challenge (the host is not even asked)', async () => {
      const { referral, asked } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9008, country: 'CA' }, FROZEN_AT);
      expect(referral.programKey).toBe(FALLBACK);
      expect(defined(referral.selection.find((s) => s.programKey === CHALLENGE)).code).toBe('outside_inviting_window');
      expect(asked).toEqual([VIP, FALLBACK]);
    });
  });
});

describe('program selection when nothing matches', () => {
  const db = useTestDatabase([programsMigrations, attributionMigrations]);
  let h: Harness;

  beforeAll(async () => {
    h = buildHarness(db.sequelize, IN_WINDOW);
    await h.programs.save({ document: challengeRewards(), author: AUTHOR, changeNote: 'Launch' });
    await h.programs.save({ document: { ...openProgram(FALLBACK, 30), status: 'paused' }, author: AUTHOR, changeNote: 'Paused' });
    h.people.set('ok', { numericId: 501, toggles: ['student_challenge_2025'] });
    await h.attribution.registerReferralCode({ programKey: CHALLENGE, code: 'ADV-OK', userId: 'ok' });
  });

  it('after frozenAt with no other active program: the referral is recorded with no_program_matched', async () => {
    const { referral, asked } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9101, country: 'US' }, '2025-12-15T00:00:00.000Z');
    expect(referral).toMatchObject({
      status: 'no_program',
      reasons: ['no_program_matched'],
      referrerUserId: 'ok',
      programKey: null,
      programVersion: null,
      selection: [expect.objectContaining({ programKey: CHALLENGE, code: 'outside_inviting_window' })],
    });
    expect(asked).toEqual([]);
  });

  it('eligibility failing in the only active program is recorded the same way, with the explanation', async () => {
    const { referral } = await inviteeSignsUp(h, 'ADV-OK', { numericId: 9102, country: 'DE' }, IN_WINDOW);
    expect(referral).toMatchObject({ status: 'no_program', reasons: ['no_program_matched'] });
    expect(referral.selection[0]?.explanation.length).toBeGreaterThan(1);
  });
});
