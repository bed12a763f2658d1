import { type RecordSignupInput, type SignupResult, type Touch } from '@referrals/attribution';
import { checkDeclaredFacts } from './declared-facts';
import { type ParticipantRegistrationRequest, queueRegistrationIn } from './participant-registration';
import { type RewardingDeps } from './record-qualifying-event';

export interface RecordedSignup extends SignupResult {
  /** The referee's Advocate registration queued by this signup (with its `_saasquatch` value), if any. */
  readonly registration: { readonly workflowId: string } | null;
}

/**
 * A signup as one transaction [50, 54]: attribution records the signup, takes over the anonymous
 * session's touches and decides the referral; when that referral came from a `_saasquatch` touch
 * of an Advocate program, the referee's participant registration (with that cookie) is queued in
 * the outbox in the same transaction. The signup answers once both are committed; Impact is
 * called later by the registration workflow, retried through outages, and never blocks the user.
 *
 * The cookie and the email go to impact-sync's participant request, never into the workflow input:
 * the activity reads them from PostgreSQL, so they stay out of Temporal's history and the outbox row.
 *
 * A disqualified referral (an existing or deleted account, a self-referral, an unknown or blocked
 * referrer) queues nothing: registering the user as referred would let Impact credit a referral
 * the engine refused. A replayed signup queues nothing either: its first call did.
 */
export async function recordSignup(deps: RewardingDeps, input: RecordSignupInput, hostFacts?: Record<string, unknown>): Promise<RecordedSignup> {
  // The host's eligibility facts must be declared by the product's catalog [173]: refused before anything is written.
  checkDeclaredFacts(deps.programs.catalogs.get(input.product), hostFacts, input.product, 'eligibility');
  return deps.sequelize.transaction(async (t) => {
    const result = await deps.attribution.recordSignup(input, { transaction: t });
    const registration = refereeRegistration(result, input.email);
    if (!registration) return { ...result, registration: null };
    return { ...result, registration: await queueRegistrationIn(deps, t, registration) };
  });
}

/** The registration a decided signup asks for, or null. Pure. */
export function refereeRegistration(result: SignupResult, email: string): ParticipantRegistrationRequest | null {
  const touch: Touch | null = result.decidedFrom;
  const referral = result.referral;
  if (!touch || !referral || referral.status === 'disqualified') return null;
  if (touch.saasquatchCookie === null || touch.programKey === null || !touch.accepted) return null;
  return {
    programKey: touch.programKey,
    product: touch.product,
    userId: referral.refereeUserId,
    // Advocate ids: the production integration uses the email for id, accountId and email [15];
    // the touch's `_saasquatch` value, as captured, is the referral attribution [52].
    participant: { id: email, accountId: email, email, cookies: touch.saasquatchCookie },
  };
}
