import { saveParticipantRequest } from '@referrals/impact-sync';
import { enqueueWork } from '@referrals/outbox';
import { type ParticipantDetails, type RegisterParticipantInput, startOptions, workflowTypes } from '@referrals/workflows';
import { type Transaction } from 'sequelize';
import { assertProgramNotRetired } from './program-retirement';
import { type RewardingDeps } from './record-qualifying-event';

/** A participant registration to queue: who, in which program, and what Advocate is told. */
export interface ParticipantRegistrationRequest {
  readonly programKey: string;
  readonly product: string;
  readonly userId: string;
  readonly participant: ParticipantDetails;
}

/**
 * Queues the Impact Advocate registration of a participant (idempotent per program and user: the
 * workflow id is derived from them) through the outbox: the caller answers without waiting for
 * Temporal or Impact.
 */
export async function queueParticipantRegistration(deps: RewardingDeps, request: ParticipantRegistrationRequest): Promise<{ workflowId: string }> {
  // A retired program registers no new Advocate participants (Kilo 69a).
  await assertProgramNotRetired(deps, request.programKey, { path: 'programKey' });
  return deps.sequelize.transaction((t) => queueRegistrationIn(deps, t, request));
}

/**
 * In the caller's transaction: the participant's details as impact-sync's participant request
 * (the first one of a program and user stands, like the workflow), and the workflow start as an
 * outbox row whose input names only the program, the product and the user. The email and the
 * `_saasquatch` value stay in PostgreSQL, out of the outbox row and of Temporal's history.
 */
export async function queueRegistrationIn(deps: RewardingDeps, t: Transaction, request: ParticipantRegistrationRequest): Promise<{ workflowId: string }> {
  const { programKey, product, userId, participant } = request;
  await saveParticipantRequest(deps.sequelize, t, { programKey, product, userId, details: { ...participant }, now: (deps.clock ?? (() => new Date()))() });
  const input: RegisterParticipantInput = { programKey, product, userId };
  const options = startOptions.participantRegistration(input, deps.startOverrides);
  await enqueueWork(deps.sequelize, t, [{ kind: 'start', workflowType: workflowTypes.participantRegistration, options }]);
  return { workflowId: options.workflowId };
}
