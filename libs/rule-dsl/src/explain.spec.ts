import { compileProgramOrThrow } from './compile-program';
import { formatEvaluation } from './evaluation';
import { failedComparisons } from './explain';
import { type FactCatalog } from './fact-catalog';
import { exampleCatalogs, examplePrograms } from './fixtures';

const challenge = compileProgramOrThrow(examplePrograms.challengeRewards, exampleCatalogs.challengeRewards as FactCatalog);
const at = '2025-09-10T08:00:00Z';
const facts = {
  advocate: { user_id: 1002, toggles: ['dark_mode'] },
  invitee: { user_id: 8, country: 'FR' },
  referral: { created_at: at },
};

describe('failedComparisons', () => {
  it('lists every comparison that did not match, through predicates, with subject, operator, expected and actual', () => {
    const result = challenge.evaluateEligibility(facts, { at });
    expect(result.code).toBe('conditions_not_met');
    expect(failedComparisons(result.explanation?.conditions ?? [])).toEqual([
      expect.objectContaining({ subject: 'advocate.user_id', operator: 'not_in', term: 'challenge_user_blocklist', expected: [1001, 1002, 4242], actual: 1002 }),
      expect.objectContaining({ subject: 'advocate.toggles', operator: 'contains', expected: 'student_challenge_2025', actual: ['dark_mode'] }),
      expect.objectContaining({ subject: 'invitee.country', operator: 'in', actual: 'FR' }),
    ]);
  });
});

describe('formatEvaluation', () => {
  it('writes one readable line per fact of the matter', () => {
    const lines = formatEvaluation(challenge.evaluateEligibility(facts, { at }));
    expect(lines[0]).toBe('challenge-based-rewards-student: conditions_not_met');
    expect(lines).toContain('      advocate.user_id not_in challenge_user_blocklist ([1001,1002,4242]): not matched (actual 1002) [terms[5].branches[0][0]]');
    expect(lines.some((line) => line.includes('inviting window [2025-09-01T00:00:00Z, 2025-12-01T00:00:00Z)'))).toBe(true);
  });

  it('shows the reward computation of a matched rule', () => {
    const result = challenge.evaluateReward('lesson.completed', { lesson: { usd_amount: '45.30' } }, { at: '2025-10-01T00:00:00Z' });
    expect(formatEvaluation(result)).toContain('reward of rule 1: 12.5% of lesson.usd_amount ("45.30"): computed = 5.66 USD');
  });

  it('says why the event was not evaluated', () => {
    const result = challenge.evaluateReward('lesson.booked', {}, { at: '2025-10-01T00:00:00Z' });
    expect(formatEvaluation(result)).toEqual(['challenge-based-rewards-student: trigger_mismatch', 'event lesson.booked (the trigger is lesson.completed)']);
  });
});
