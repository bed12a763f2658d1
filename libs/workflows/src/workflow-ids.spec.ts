import { workflowIds } from './workflow-ids';

describe('workflowIds', () => {
  it('derives the same id from the same business id, so a second start is a no-op', () => {
    expect(workflowIds.rewardRedemption('r-1')).toBe(workflowIds.rewardRedemption('r-1'));
    expect(workflowIds.rewardRedemption('r-1')).toBe('reward-redemption-r-1');
  });

  it('keeps different kinds of work apart for the same business id', () => {
    const ids = new Set([
      workflowIds.rewardRedemption('x'),
      workflowIds.issuanceBonus('x'),
      workflowIds.conversionReport('x'),
      workflowIds.participantRegistration('kilo-pass', 'x'),
    ]);
    expect(ids.size).toBe(4);
    expect(workflowIds.conversionReversal('x')).not.toBe(workflowIds.conversionReport('x'));
  });
});
