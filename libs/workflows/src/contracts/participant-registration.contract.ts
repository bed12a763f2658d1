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
  participant: ParticipantDetails;
  /**
   * The referral touch whose `_saasquatch` value Advocate gets as `participant.cookies` (a signup's
   * registration [50, 52]): the activities read the value from PostgreSQL, so the opaque cookie
   * never enters this input, the outbox row or Temporal's history. Takes the place of `cookies`.
   */
  cookieTouchId?: string;
  /** Internal: the attempt a continued-as-new run resumes at. */
  resumeAtAttempt?: number;
}

/** `details.referralCode`: the program-scoped code Advocate returned (also stored in impact-sync). */
export type RegisterParticipantResult = DeliveryResult;

export type RegisterParticipantWorkflow = (input: RegisterParticipantInput) => Promise<RegisterParticipantResult>;
