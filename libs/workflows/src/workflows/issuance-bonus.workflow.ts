import { condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ClaimableItemKind } from '../contracts/domain-types';
import { type ApplyReferralRewardResult, type BonusItemView, type ClaimIssuanceBonusResult } from '../activities.contract';
import {
  type IssuanceBonusDecision,
  type IssuanceBonusInput,
  type IssuanceBonusResult,
  type IssuanceBonusState,
  type IssuanceFacts,
} from '../contracts/issuance-bonus.contract';
import { planIssuance } from '../issuance-bonus.rules';
import { searchAttributeKeys } from '../search-attributes';
import { issuanceBonusStateQuery, issuanceCreatedSignal, usageThresholdCrossedSignal } from '../signals';
import { workflowIds } from '../workflow-ids';
import { ledger, loadWorkflowSettings } from './activity-proxies';
import { startRedemption } from './start-redemption';

const decisionOfItem: Record<BonusItemView['itemKind'], IssuanceBonusDecision> = {
  promo_first_month_50pct: 'welcome_promo',
  referral_bonus: 'referral_bonus',
  bonus: 'usage_bonus',
};

/**
 * Welcome-bonus exclusivity: decides the single bonus-like item of one issuance, in this order
 * (the rules are `planIssuance`, Kilo Pass rule numbers in brackets):
 * 1. a first-time monthly subscriber's welcome-month issuance (month 1 when the subscription
 *    started before the product's launch cutoff, month 2 at or after it [132]) gets
 *    `promo_first_month_50pct`; it never consumes a referral reward, which stays pending [123, 115];
 * 2. otherwise, on an eligible issuance (monthly, subscription active [131, 107]), the oldest
 *    pending, unexpired referral reward earned before the issuance was created is applied as
 *    `referral_bonus` (one ledger transaction), and its redemption starts; a first-time
 *    subscriber's first issuance (paid by their converting payment) takes no referee reward [123];
 * 3. otherwise wait for `usageThresholdCrossed` until the period ends and grant `bonus` only if the
 *    slot is still free (on an eligible issuance, a referral reward earned before the issuance but
 *    granted late still wins).
 * The ledger's one-item-per-issuance constraint backs every step: whatever holds the slot is the
 * answer, so replays and concurrent starters end with exactly one item. The decision is recorded
 * in PostgreSQL (`recordIssuanceOutcome`) before the workflow ends, so the api can read it.
 */
export async function decideIssuanceBonus(input: IssuanceBonusInput): Promise<IssuanceBonusResult> {
  const state: IssuanceBonusState = { phase: 'waiting_for_facts', facts: input.facts ?? null, usageThresholdCrossedAt: null, result: null };
  setHandler(issuanceCreatedSignal, (facts) => {
    state.facts ??= facts;
  });
  setHandler(usageThresholdCrossedSignal, ({ crossedAt }) => {
    state.usageThresholdCrossedAt ??= crossedAt;
  });
  setHandler(issuanceBonusStateQuery, () => state);

  const { workflowId } = workflowInfo();
  const actor = `workflow:${workflowId}`;
  /** Why a pending referral reward was not looked for, appended to reasons that would otherwise hide it. */
  let referralNote = '';
  const finish = async (decision: IssuanceBonusDecision, item: BonusItemView | null, reason: string, redemptionWorkflowId: string | null = null) => {
    const result: IssuanceBonusResult = {
      issuanceId: input.issuanceId,
      decision,
      item,
      reason: `${reason}${referralNote}`,
      redemptionWorkflowId,
      usageThresholdCrossedAt: state.usageThresholdCrossedAt,
    };
    await ledger.recordIssuanceOutcome({
      issuanceId: input.issuanceId,
      subscriberId: input.subscriberId,
      product: input.product,
      decision,
      reason: result.reason,
      usageThresholdCrossedAt: result.usageThresholdCrossedAt,
      actor,
    });
    state.phase = 'decided';
    state.result = result;
    return result;
  };
  const fromHolder = (heldBy: BonusItemView, context: string) =>
    finish(decisionOfItem[heldBy.itemKind], heldBy, `${context}: the slot is held by ${heldBy.itemKind}`);
  const claim = async (itemKind: ClaimableItemKind, decision: IssuanceBonusDecision, reason: string): Promise<IssuanceBonusResult> => {
    const claimed: ClaimIssuanceBonusResult = await ledger.claimIssuanceBonus({
      issuanceId: input.issuanceId,
      itemKind,
      claimKey: `${workflowId}:${itemKind}`,
      actor,
      reason,
    });
    return claimed.outcome === 'claimed' ? finish(decision, claimed.item, reason) : fromHolder(claimed.heldBy, `${decision} not granted`);
  };
  const applyReferralReward = async (facts: IssuanceFacts, includeRefereeRewards: boolean): Promise<IssuanceBonusResult | null> => {
    const applied: ApplyReferralRewardResult = await ledger.applyReferralReward({
      issuanceId: input.issuanceId,
      beneficiaryId: input.subscriberId,
      product: input.product,
      issuanceCreatedAt: facts.issuanceCreatedAt,
      includeRefereeRewards,
      actor,
    });
    if (applied.outcome === 'no_reward_available') return null;
    if (applied.outcome === 'slot_taken') return fromHolder(applied.heldBy, 'referral reward not applied');
    const { reward } = applied;
    upsertSearchAttributes([{ key: searchAttributeKeys.RewardId, value: reward.rewardId }]);
    await startRedemption({ rewardId: reward.rewardId, programKey: reward.programKey, beneficiaryId: reward.beneficiaryId });
    return finish(
      'referral_bonus',
      applied.item,
      `the oldest pending referral reward ${reward.rewardId} (earned before the issuance) applied as referral_bonus`,
      workflowIds.rewardRedemption(reward.rewardId),
    );
  };

  const settings = await loadWorkflowSettings();
  if (!state.facts && !(await condition(() => state.facts !== null, settings.issuanceFactsWaitMs))) {
    return finish('none', null, `the issuance facts did not arrive within ${settings.issuanceFactsWaitMs} ms`);
  }
  const facts = state.facts as IssuanceFacts;
  state.phase = 'deciding';
  const plan = planIssuance(facts);
  if (plan.referralBlockedWhy !== null) referralNote = `; no referral reward consumed: ${plan.referralBlockedWhy}, a pending one (if any) stays pending`;

  // (1) The welcome-month issuance: the promo, never a referral reward.
  if (plan.welcomePromo) return claim('promo_first_month_50pct', 'welcome_promo', plan.promoWhy);
  // (2) On an eligible issuance, the oldest pending referral reward earned before it.
  if (plan.referralRewardAllowed) {
    const referral = await applyReferralReward(facts, plan.refereeRewardsAllowed);
    if (referral) return referral;
  }

  // (3) The usage bonus, if the threshold is crossed before the period ends.
  state.phase = 'waiting_for_usage';
  const periodEndsAtMs = Date.parse(facts.periodEndsAt);
  const crossedInTime = () => state.usageThresholdCrossedAt !== null && Date.parse(state.usageThresholdCrossedAt) <= periodEndsAtMs;
  const remainingMs = periodEndsAtMs - Date.now();
  const crossed = crossedInTime() || (remainingMs > 0 && (await condition(crossedInTime, remainingMs)));
  if (!crossed) return finish('none', null, `${plan.promoWhy}; the period ended without the usage threshold being crossed`);
  // A referral reward earned before the issuance but granted since still takes precedence.
  if (plan.referralRewardAllowed) {
    const late = await applyReferralReward(facts, plan.refereeRewardsAllowed);
    if (late) return late;
  }
  return claim('bonus', 'usage_bonus', `${plan.promoWhy}; usage threshold crossed at ${state.usageThresholdCrossedAt ?? '?'} within the period`);
}
