import { isAttributionError } from '@referrals/attribution';
import { deliveryBusinessIds, deliveryKeys, deliveryRequestId, isTerminalDeliveryStatus, participantRequestOf, recordParticipantRegistration } from '@referrals/impact-sync';
import { isProgramRetired } from '@referrals/programs';
import { type DeliveryFailure, type ParticipantDetails, type RegisterParticipantInput, type RegistrationActivities } from '@referrals/workflows';
import { type ActivityDeps } from './activity-deps';
import { deliveryActivityBody } from './heartbeats';
import { activityCancellationSignal, deliveryToAttempt, endOfImpactOutcome, openDelivery, recordAttemptEnd, resultOf, type AttemptEnd } from './delivery-recording';

/**
 * Participant registration with Impact Advocate (upsert), storing the program-scoped referral code
 * in impact-sync (participant ids, for redemptions) and in attribution (so that a later touch
 * carrying the code, as `_saasquatch` cookie or `rsCode`, finds this referrer at signup).
 */
export function createRegistrationActivities(deps: ActivityDeps): RegistrationActivities {
  const { sequelize, impact } = deps;
  return {
    openParticipantRegistration: ({ registration, workflowId }) =>
      deliveryActivityBody(async () =>
        openDelivery(sequelize, {
          kind: 'participant_registration',
          businessId: deliveryBusinessIds.participantRegistration(registration.programKey, registration.userId),
          deliveryKey: deliveryKeys.participantRegistration(registration.programKey, registration.userId, (await participantOf(deps, registration))?.cookies),
          product: registration.product,
          programKey: registration.programKey,
          userId: registration.userId,
          workflowId,
        }),
      ),

    attemptParticipantRegistration: ({ registration, attempt, retryDelayMs }) =>
      deliveryActivityBody(async () => {
        const businessId = deliveryBusinessIds.participantRegistration(registration.programKey, registration.userId);
        const current = await deliveryToAttempt(sequelize, 'participant_registration', businessId);
        if (isTerminalDeliveryStatus(current.status)) return { state: 'ended', result: resultOf(current) };
        const requestId = deliveryRequestId(workflowKey(registration.programKey, registration.userId), attempt);
        // A retired program registers no new Advocate participant (Kilo 69a, 69b): a queued registration ends.
        if (await isProgramRetired(sequelize, registration.programKey)) {
          const error = { code: 'program_retired', message: `program "${registration.programKey}" is retired: no new Advocate participant`, httpStatus: null };
          return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, { outcome: 'failed', error });
        }
        const { advocate } = impact.forProduct(registration.product);
        const participant = await participantOf(deps, registration);
        if (!participant) {
          const error = { code: 'participant_request_missing', message: `no participant details were stored for ${businessId}: nothing to register`, httpStatus: null };
          return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, { outcome: 'failed', error });
        }
        const outcome = await advocate.upsertParticipant(participant, { requestId, signal: activityCancellationSignal() });
        let end: AttemptEnd;
        if (outcome.kind === 'ok') {
          // Stored before the delivery is marked succeeded: a crash in between re-registers (an
          // idempotent upsert) and stores the same code again.
          const stored = await recordParticipantRegistration(sequelize, {
            programKey: registration.programKey,
            userId: registration.userId,
            product: registration.product,
            participantId: outcome.value.participantId,
            accountId: outcome.value.accountId,
            referralCode: outcome.value.referralCode,
            referredByCode: outcome.value.referredByCode,
            now: deps.clock(),
          });
          const conflict = stored.referralCode === null ? null : await registerWithAttribution(deps, registration, stored.referralCode);
          end = conflict
            ? { outcome: 'failed', error: conflict }
            : // Advocate's participant id is the email [15]: it stays in impact_sync_participants, out of
              // the workflow's result (Temporal history).
              { outcome: 'succeeded', details: { referralCode: stored.referralCode } };
        } else {
          end = endOfImpactOutcome(outcome, () => ({ outcome: 'succeeded' }));
        }
        return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, end);
      }),
  };
}

/**
 * What Advocate is told: the participant request stored with the outbox row (email, names, the
 * `_saasquatch` value: never in the workflow input), else the participant a registration queued
 * before requests were stored carries. Neither is a broken queue: null, a permanent failure.
 */
async function participantOf(deps: ActivityDeps, registration: RegisterParticipantInput): Promise<ParticipantDetails | null> {
  const request = await participantRequestOf(deps.sequelize, registration.programKey, registration.userId);
  // Written by rewarding's queueRegistrationIn from a ParticipantDetails.
  if (request) return request.details as unknown as ParticipantDetails;
  return registration.participant ?? null;
}

/**
 * Registers Impact's code as the user's referral code in attribution. A retried attempt registers
 * the same code for the same user again, which attribution answers with the stored code.
 *
 * A code attribution refuses for good (`referral_code_taken`: another user already owns it in the
 * program, e.g. the same native code; `program_unknown`; `input_invalid`) is answered as a
 * permanent failure of this delivery, recorded and shown to operators: retrying cannot change
 * who owns the code, and the Impact side (participant ids, stored above) is kept. Anything else
 * (the database, a retryable conflict) is thrown and retried by Temporal.
 */
async function registerWithAttribution(
  deps: ActivityDeps,
  registration: RegisterParticipantInput,
  code: string,
): Promise<DeliveryFailure | null> {
  try {
    await deps.referralCodes.registerReferralCode({ programKey: registration.programKey, code, userId: registration.userId });
    return null;
  } catch (error) {
    if (!isAttributionError(error) || error.retryable) throw error;
    return {
      code: error.code,
      message: `the referral code Impact returned (${code}) cannot be registered in attribution for program "${registration.programKey}": ${error.message}`,
      httpStatus: null,
    };
  }
}

const workflowKey = (programKey: string, userId: string) => `impact-advocate-registration:${programKey}:${userId}`;
