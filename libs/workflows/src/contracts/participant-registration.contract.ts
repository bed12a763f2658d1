import { type DeliveryResult } from './delivery.contract';

/** What Advocate is told about the participant (an allow-list; Advocate rejects unknown fields). */
export interface ParticipantDetails {
  /** Advocate user id (the production integration uses the email). */
  id: string;
  accountId: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  /** Any common form (`en-US`); sent as `en_US`. */
  locale?: string;
  countryCode?: string;
  /** The raw `_saasquatch` cookie value (opaque); empty or absent without an inbound referral. */
  cookies?: string;
  segments?: string[];
  customFields?: Record<string, unknown>;
}

/**
 * Input of `registerParticipant`: one per (program, user). Workflow id:
 * `workflowIds.participantRegistration(programKey, userId)`.
 */
export interface RegisterParticipantInput {
  programKey: string;
  /** The product whose Advocate program the participant joins (`kilo_pass`). */
  product: string;
  /** Our user id. */
  userId: string;
  /**
   * Only in registrations queued before participant requests were stored. Now the participant
   * (email, names, the `_saasquatch` value) is impact-sync's participant request of (program,
   * user), written with the outbox row and read by the activities: emails and cookies never enter
   * this input, so they stay out of Temporal's history.
   */
  participant?: ParticipantDetails;
  /** Internal: the attempt a continued-as-new run resumes at. */
  resumeAtAttempt?: number;
}

/** `details.referralCode`: the program-scoped code Advocate returned (also stored in impact-sync). */
export type RegisterParticipantResult = DeliveryResult;

export type RegisterParticipantWorkflow = (input: RegisterParticipantInput) => Promise<RegisterParticipantResult>;
