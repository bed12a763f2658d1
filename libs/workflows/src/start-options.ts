import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { type ReportConversionInput, type ReverseConversionInput } from './contracts/conversion-report.contract';
import { type ScheduleName } from './contracts/schedules.contract';
import { type IssuanceBonusInput, type IssuanceFacts, type UsageThresholdCrossed } from './contracts/issuance-bonus.contract';
import { type RegisterParticipantInput } from './contracts/participant-registration.contract';
import { type RedeemRewardInput } from './contracts/reward-redemption.contract';
import { type KeywordSearchAttribute, searchAttributesFor } from './search-attributes';
import { TASK_QUEUE } from './task-queue';
import { workflowIds } from './workflow-ids';

/**
 * Ready-made start options, so every starter (api, worker, schedules, other workflows) starts the
 * same work the same way: id from the business id, search attributes and memo, and the policies
 * that make a second start a no-op.
 *
 * - `workflowIdConflictPolicy: USE_EXISTING`: starting while the workflow runs returns a handle to
 *   the running one (no error, no second run).
 * - `workflowIdReusePolicy: REJECT_DUPLICATE`: starting after it closed is refused with
 *   `WorkflowExecutionAlreadyStartedError` (treat it as "already done"; its result is in the
 *   closed run and in impact-sync). An operator retry of a failed delivery first requeues it in
 *   impact-sync (`requeueDelivery`), then starts with `workflowIdReusePolicy: 'ALLOW_DUPLICATE'`.
 *
 * Usage (api): `client.workflow.start(workflowTypes.rewardRedemption, startOptions.rewardRedemption(input))`.
 */
export interface ReferralsStartOptions<I> {
  taskQueue: string;
  workflowId: string;
  args: [I];
  typedSearchAttributes: KeywordSearchAttribute[];
  memo: Record<string, unknown>;
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  workflowIdConflictPolicy: WorkflowIdConflictPolicy;
}

/** signalWithStart options: signal the running workflow, or start it and deliver the signal first. */
export type ReferralsSignalWithStartOptions<I, S extends unknown[]> = Omit<ReferralsStartOptions<I>, 'workflowIdConflictPolicy'> & {
  signal: string;
  signalArgs: S;
};

export interface StartOverrides {
  /** Defaults to TASK_QUEUE (tests use their own queue). */
  taskQueue?: string;
}

function options<I>(
  input: I,
  workflowId: string,
  facts: Parameters<typeof searchAttributesFor>[0],
  memo: Record<string, unknown>,
  overrides: StartOverrides,
): ReferralsStartOptions<I> {
  return {
    taskQueue: overrides.taskQueue ?? TASK_QUEUE,
    workflowId,
    args: [input],
    typedSearchAttributes: searchAttributesFor(facts),
    memo: Object.fromEntries(Object.entries(memo).filter(([, v]) => v !== undefined && v !== null)),
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  };
}

function withoutConflictPolicy<I>(o: ReferralsStartOptions<I>): Omit<ReferralsStartOptions<I>, 'workflowIdConflictPolicy'> {
  const { workflowIdConflictPolicy: _policy, ...rest } = o;
  return rest;
}

type IssuanceIds = Omit<IssuanceBonusInput, 'facts'>;

export const startOptions = {
  rewardRedemption: (input: RedeemRewardInput, overrides: StartOverrides = {}) =>
    options(
      input,
      workflowIds.rewardRedemption(input.rewardId),
      { rewardId: input.rewardId, userId: input.beneficiaryId, programKey: input.programKey },
      { rewardId: input.rewardId, beneficiaryId: input.beneficiaryId, programKey: input.programKey },
      overrides,
    ),

  participantRegistration: (input: RegisterParticipantInput, overrides: StartOverrides = {}) =>
    options(
      input,
      workflowIds.participantRegistration(input.programKey, input.userId),
      { userId: input.userId, programKey: input.programKey },
      { userId: input.userId, programKey: input.programKey, product: input.product },
      overrides,
    ),

  conversionReport: (input: ReportConversionInput, overrides: StartOverrides = {}) =>
    options(
      input,
      workflowIds.conversionReport(input.conversionId),
      { userId: input.userId, programKey: input.programKey ?? null },
      {
        conversionId: input.conversionId,
        product: input.product,
        provider: input.provider,
        sourcePaymentId: input.sourcePaymentId,
        winner: input.attribution.winner,
      },
      overrides,
    ),

  conversionReversal: (input: ReverseConversionInput, overrides: StartOverrides = {}) =>
    options(
      input,
      workflowIds.conversionReversal(input.conversionId),
      { userId: input.userId ?? null, programKey: input.programKey ?? null },
      {
        conversionId: input.conversionId,
        product: input.product,
        provider: input.provider,
        sourcePaymentId: input.sourcePaymentId,
        adverseKind: input.adverseKind,
      },
      overrides,
    ),

  /** An operator's run-now of a schedule: the schedule's own workflow, with the run id to record its result under. */
  scheduleRun: (schedule: ScheduleName, runId: string, overrides: StartOverrides = {}) =>
    options({ runId }, workflowIds.scheduleRun(schedule, runId), {}, { schedule, runId }, overrides),

  /** Plain start (facts in the input). */
  issuanceBonus: (input: IssuanceBonusInput, overrides: StartOverrides = {}) =>
    options(
      input,
      workflowIds.issuanceBonus(input.issuanceId),
      { userId: input.subscriberId, programKey: input.programKey ?? null },
      { issuanceId: input.issuanceId, subscriberId: input.subscriberId, product: input.product, programKey: input.programKey },
      overrides,
    ),
} as const;

/**
 * Billing "issuance created": signalWithStart with the facts (the workflow may already run,
 * started by a usage signal that came first).
 */
export function issuanceCreatedSignalWithStart(
  ids: IssuanceIds,
  facts: IssuanceFacts,
  overrides: StartOverrides = {},
): ReferralsSignalWithStartOptions<IssuanceIds, [IssuanceFacts]> {
  return { ...withoutConflictPolicy(startOptions.issuanceBonus(ids, overrides)), signal: 'issuanceCreated', signalArgs: [facts] };
}

/**
 * Billing "usage threshold crossed": signalWithStart with the crossing. Refused with
 * `WorkflowExecutionAlreadyStartedError` once the issuance's workflow has closed (the decision is
 * final: the api answers that nothing changed).
 */
export function usageThresholdCrossedSignalWithStart(
  ids: IssuanceIds,
  crossed: UsageThresholdCrossed,
  overrides: StartOverrides = {},
): ReferralsSignalWithStartOptions<IssuanceIds, [UsageThresholdCrossed]> {
  return { ...withoutConflictPolicy(startOptions.issuanceBonus(ids, overrides)), signal: 'usageThresholdCrossed', signalArgs: [crossed] };
}
