import { type PinnedProgram, type ProgramVersion } from '@referrals/programs';
import { type EligibilityCode, type FactSet, formatEvaluation } from '@referrals/rule-dsl';
import { type Touch } from './touches';

/** What the host is asked for: the eligibility facts of one candidate program for one referral. */
export interface EligibilityFactsRequest {
  readonly product: string;
  /** The candidate program version (its document says which facts its catalog expects). */
  readonly program: ProgramVersion;
  readonly referrerUserId: string;
  readonly refereeUserId: string;
  readonly referralCode: string;
  /** When the referee signed up: the evaluation instant, and the natural `referral.created_at`. */
  readonly signedUpAt: Date;
  /** Always true here: referrals with a failing guard never reach program selection. */
  readonly isNewAccount: true;
  readonly touch: Touch;
}

/**
 * The host's side of program selection: advocate/referrer, invitee/referee and referral facts in
 * the shape of the product's fact catalog (`{ advocate: { user_id, toggles }, invitee: {...},
 * referral: { created_at } }`). Called once per candidate, highest priority first, outside any
 * database transaction; a throw aborts the signup call, which then recorded nothing.
 */
export type EligibilityFactsProvider = (request: EligibilityFactsRequest) => FactSet | Promise<FactSet>;

/** What one candidate program answered, in the order they were tried. */
export interface SelectionStep {
  readonly programKey: string;
  readonly version: number;
  readonly priority: number;
  readonly code: EligibilityCode;
  /** The readable explanation (which condition failed, with actual and expected values). */
  readonly explanation: readonly string[];
}

export interface ProgramSelection {
  readonly chosen: PinnedProgram | null;
  readonly steps: readonly SelectionStep[];
}

/**
 * Chooses the program of a new referral: candidates are the product's ACTIVE programs, tried by
 * priority (lower number first); the first whose eligibility matches at signup time wins, which
 * includes its inviting window [startAt, frozenAt). Programs after the chosen one are not tried.
 */
export async function selectProgram(
  candidates: readonly PinnedProgram[],
  request: Omit<EligibilityFactsRequest, 'program'>,
  facts: EligibilityFactsProvider,
): Promise<ProgramSelection> {
  const ordered = [...candidates].sort((a, b) => a.priority - b.priority || (a.key < b.key ? -1 : 1));
  const steps: SelectionStep[] = [];
  for (const candidate of ordered) {
    const { compiled, ...program } = candidate;
    const atMs = request.signedUpAt.getTime();
    const inviting = atMs >= compiled.window.startAtMs && atMs < compiled.window.frozenAtMs;
    // Outside its inviting window a program cannot match whatever the facts say (the window is
    // checked first), so the host is not asked for them.
    const factSet = inviting ? await facts({ ...request, program }) : {};
    const evaluation = compiled.evaluateEligibility(factSet, { at: request.signedUpAt });
    steps.push({
      programKey: candidate.key,
      version: candidate.version,
      priority: candidate.priority,
      code: evaluation.code,
      explanation: formatEvaluation(evaluation),
    });
    if (evaluation.eligible) return { chosen: candidate, steps };
  }
  return { chosen: null, steps };
}
