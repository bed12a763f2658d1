import { deliveryBusinessIds, deliveryKeys, isTerminalDeliveryStatus, recordParticipantRegistration } from '@referrals/impact-sync';
import { type RegistrationActivities } from '@referrals/workflows';
import { type ActivityDeps } from './activity-deps';
import { withBusinessErrors } from './activity-errors';
import { activityCancellationSignal, deliveryToAttempt, endOfImpactOutcome, openDelivery, recordAttemptEnd, resultOf, type AttemptEnd } from './delivery-recording';

/** Participant registration with Impact Advocate (upsert), storing the program-scoped referral code. */
export function createRegistrationActivities(deps: ActivityDeps): RegistrationActivities {
  const { sequelize, impact } = deps;
  return {
    openParticipantRegistration: ({ registration, workflowId }) =>
      withBusinessErrors(() =>
        openDelivery(sequelize, {
          kind: 'participant_registration',
          businessId: deliveryBusinessIds.participantRegistration(registration.programKey, registration.userId),
          deliveryKey: deliveryKeys.participantRegistration(registration.programKey, registration.userId, registration.participant.cookies),
          product: registration.product,
          programKey: registration.programKey,
          userId: registration.userId,
          workflowId,
        }),
      ),

    attemptParticipantRegistration: ({ registration, attempt, retryDelayMs }) =>
      withBusinessErrors(async () => {
        const businessId = deliveryBusinessIds.participantRegistration(registration.programKey, registration.userId);
        const current = await deliveryToAttempt(sequelize, 'participant_registration', businessId);
        if (isTerminalDeliveryStatus(current.status)) return { state: 'ended', result: resultOf(current) };
        const requestId = `${workflowKey(registration.programKey, registration.userId)}:attempt-${attempt}`;
        const { advocate } = impact.forProduct(registration.product);
        const outcome = await advocate.upsertParticipant(registration.participant, { requestId, signal: activityCancellationSignal() });
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
          end = { outcome: 'succeeded', details: { participantId: stored.participantId, referralCode: stored.referralCode } };
        } else {
          end = endOfImpactOutcome(outcome, () => ({ outcome: 'succeeded' }));
        }
        return recordAttemptEnd(sequelize, deps.clock(), { kind: 'participant_registration', businessId, requestId }, { attempt, retryDelayMs }, end);
      }),
  };
}

const workflowKey = (programKey: string, userId: string) => `impact-advocate-registration:${programKey}:${userId}`;
