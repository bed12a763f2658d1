import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { type DeliveryProgress } from '../contracts/delivery.contract';
import { type RegisterParticipantInput, type RegisterParticipantResult } from '../contracts/participant-registration.contract';
import { deliveryProgressQuery } from '../signals';
import { deliveryActivities, loadWorkflowSettings } from './activity-proxies';
import { runDelivery } from './delivery-loop';

/**
 * Registers (upserts) a participant with Impact Advocate for one program and stores the
 * program-scoped referral code it returns. Same retry semantics as every Impact delivery.
 */
export async function registerParticipant(input: RegisterParticipantInput): Promise<RegisterParticipantResult> {
  let progress: DeliveryProgress | null = null;
  setHandler(deliveryProgressQuery, () => progress);
  const settings = await loadWorkflowSettings();
  const delivery = deliveryActivities(settings);
  const { resumeAtAttempt, ...registration } = input;
  const opened = await delivery.openParticipantRegistration({ registration, workflowId: workflowInfo().workflowId });
  return runDelivery({
    opened,
    settings,
    resumeAtAttempt,
    attempt: (context) => delivery.attemptParticipantRegistration({ ...context, registration }),
    continueAsNewAt: (attempt) => continueAsNew<typeof registerParticipant>({ ...registration, resumeAtAttempt: attempt }),
    onProgress: (p) => {
      progress = p;
    },
    fail: (failure) => delivery.failDeliveryAfterError(failure),
  });
}
