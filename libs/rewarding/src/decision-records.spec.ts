import { type RewardExplanation } from '@referrals/rule-dsl';
import { examplePrograms, exampleCatalogs, compileProgramOrThrow, type FactCatalog } from '@referrals/rule-dsl';
import { explanationWithoutPersonalIds, factsWithoutPersonalIds, personalIdRestorer, restoreExplanation } from './decision-records';

describe('decision records keep user ids out of facts and explanations, and put them back on read', () => {
  const catalog = exampleCatalogs.challengeRewards as FactCatalog;
  const program = compileProgramOrThrow(examplePrograms.challengeRewards, catalog);
  const facts = { advocate: { user_id: 5001, toggles: ['student_challenge_2025'] }, invitee: { user_id: 7001, country: 'US' }, lesson: { usd_amount: '45.30' } };

  it('strips the engine id facts and restores them typed by the catalog', () => {
    const stored = factsWithoutPersonalIds(facts);
    expect(stored).toEqual({ advocate: { toggles: ['student_challenge_2025'] }, invitee: { country: 'US' }, lesson: { usd_amount: '45.30' } });
    expect(facts.advocate.user_id).toBe(5001); // the original is untouched
    personalIdRestorer(catalog)(stored, '5001', '7001');
    expect(stored).toEqual(facts);
  });

  it('leaves ids that do not fit an int catalog out rather than guessing', () => {
    const stored = factsWithoutPersonalIds(facts);
    personalIdRestorer(catalog)(stored, 'user-abc', '7001');
    expect(stored).toEqual({ ...facts, advocate: { toggles: ['student_challenge_2025'] } });
  });

  it('nulls the actual values of id conditions in the explanation, and restores them from the facts', () => {
    const blocked = { ...facts, advocate: { ...facts.advocate, user_id: 4242 } };
    const explanation = program.evaluateEligibility(blocked, { at: '2025-10-01T00:00:00Z' }).explanation;
    // Reward explanations have the same condition traces; wrap the eligibility conditions as a rule to exercise the walk.
    const asReward = { at: '2025-10-01T00:00:00.000Z', event: { expected: 'x', actual: 'x', matched: true }, rules: [{ index: 0, description: 'r', outcome: 'not_matched', conditions: explanation?.conditions ?? [] }] } as RewardExplanation;
    const stored = explanationWithoutPersonalIds(asReward);
    expect(JSON.stringify(stored)).not.toContain('"actual":4242');
    expect(JSON.stringify(stored)).toContain('"subject":"advocate.user_id","operator":"not_in","expected":[1001,1002,4242],"term":"challenge_user_blocklist","actual":null');
    expect(JSON.stringify(restoreExplanation(stored, blocked))).toContain('"actual":4242');
  });
});
