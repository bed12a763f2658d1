import { enqueueWork } from '@referrals/outbox';
import { type RegisterParticipantInput, startOptions, workflowTypes } from '@referrals/workflows';
import { assertProgramNotRetired } from './program-retirement';
import { type RewardingDeps } from './record-qualifying-event';

/**
 * Queues the Impact Advocate registration of a participant (idempotent per program and user: the
 * workflow id is derived from them) through the outbox: the caller answers without waiting for
 * Temporal or Impact.
 */
export async function queueParticipantRegistration(deps: RewardingDeps, input: RegisterParticipantInput): Promise<{ workflowId: string }> {
  // A retired program registers no new Advocate participants (Kilo 69a).
  await assertProgramNotRetired(deps, input.programKey, { path: 'programKey' });
  const options = startOptions.participantRegistration(input, deps.startOverrides);
  await deps.sequelize.transaction((t) => enqueueWork(deps.sequelize, t, [{ kind: 'start', workflowType: workflowTypes.participantRegistration, options }]));
  return { workflowId: options.workflowId };
}
