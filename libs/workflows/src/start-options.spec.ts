import { issuanceCreatedSignalWithStart, startOptions, usageThresholdCrossedSignalWithStart } from './start-options';
import { TASK_QUEUE } from './task-queue';

describe('startOptions', () => {
  it('derives the workflow id from the business id, with search attributes and memo for the Temporal UI', () => {
    const o = startOptions.rewardRedemption({ rewardId: '42', programKey: 'kilo-pass', beneficiaryId: 'user-7' });
    expect(o).toEqual({
      taskQueue: TASK_QUEUE,
      workflowId: 'reward-redemption-42',
      args: [{ rewardId: '42', programKey: 'kilo-pass', beneficiaryId: 'user-7' }],
      typedSearchAttributes: [
        { key: { name: 'RewardId', type: 'KEYWORD' }, value: '42' },
        { key: { name: 'ReferralUserId', type: 'KEYWORD' }, value: 'user-7' },
        { key: { name: 'ProgramKey', type: 'KEYWORD' }, value: 'kilo-pass' },
      ],
      memo: { rewardId: '42', beneficiaryId: 'user-7', programKey: 'kilo-pass' },
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  });

  it('makes a second start a no-op: the running workflow is reused, a closed one is not started again', () => {
    const o = startOptions.participantRegistration(
      { programKey: 'kilo-pass', product: 'kilo_pass', userId: 'u-1', participant: { id: 'a@b.c', accountId: 'a@b.c' } },
      { taskQueue: 'test-queue' },
    );
    expect(o).toMatchObject({
      taskQueue: 'test-queue',
      workflowId: 'participant-registration-kilo-pass-u-1',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  });

  it('leaves absent facts out of the search attributes and memo', () => {
    const o = startOptions.issuanceBonus({ issuanceId: 'iss-1', subscriberId: 'u-1', product: 'kilo_pass' });
    expect(o.typedSearchAttributes.map((a) => a.key.name)).toEqual(['ReferralUserId']);
    expect(o.memo).toEqual({ issuanceId: 'iss-1', subscriberId: 'u-1', product: 'kilo_pass' });
  });

  it('signals issuance created and usage crossed into the same issuance workflow, starting it when needed', () => {
    const ids = { issuanceId: 'iss-2', subscriberId: 'u-2', product: 'kilo_pass', programKey: 'kilo-pass' };
    const created = issuanceCreatedSignalWithStart(ids, {
      issuanceCreatedAt: '2026-03-01T00:00:00Z',
      periodEndsAt: '2026-04-01T00:00:00Z',
      issuanceNumber: 1,
      firstTimeSubscriber: true,
      subscriberStartedAt: '2026-03-01T00:00:00Z',
    });
    const usage = usageThresholdCrossedSignalWithStart(ids, { crossedAt: '2026-03-05T00:00:00Z' });
    expect(created.workflowId).toBe('issuance-bonus-iss-2');
    expect(usage.workflowId).toBe(created.workflowId);
    expect(created.signal).toBe('issuanceCreated');
    expect(usage).toMatchObject({ signal: 'usageThresholdCrossed', signalArgs: [{ crossedAt: '2026-03-05T00:00:00Z' }] });
    expect(usage).not.toHaveProperty('workflowIdConflictPolicy');
  });
});
