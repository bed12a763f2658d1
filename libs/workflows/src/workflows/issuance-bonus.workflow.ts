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
import { planPromos } from '../issuance-bonus.rules';
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
 * Welcome-bonus exclusivity: decides the single bonus-like item of one issuance, in this order:
 * 1. a first-time monthly subscriber's first issuance gets `promo_first_month_50pct` (a referral
 *    reward never replaces it);
 * 2. otherwise the oldest pending, unexpired referral reward earned before the issuance was
 *    created is applied as `referral_bonus` (one ledger transaction), and its redemption starts;
 * 3. otherwise a subscriber who started before the launch cutoff keeps the legacy month-2 promo on
 *    the second issuance;
 * 4. otherwise wait for `usageThresholdCrossed` until the period ends and grant `bonus` only if the
 *    slot is still free (a referral reward earned before the issuance but granted late still wins).
 * The ledger's one-item-per-issuance constraint backs every step: whatever holds the slot is the
 * answer, so replays and concurrent starters end with exactly one item.
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
  const finish = (decision: IssuanceBonusDecision, item: BonusItemView | null, reason: string, redemptionWorkflowId: string | null = null) => {
    state.phase = 'decided';
    state.result = { issuanceId: input.issuanceId, decision, item, reason, redemptionWorkflowId, usageThresholdCrossedAt: state.usageThresholdCrossedAt };
    return state.result;
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
  const applyReferralReward = async (facts: IssuanceFacts): Promise<IssuanceBonusResult | null> => {
    const applied: ApplyReferralRewardResult = await ledger.applyReferralReward({
      issuanceId: input.issuanceId,
      beneficiaryId: input.subscriberId,
      product: input.product,
      issuanceCreatedAt: facts.issuanceCreatedAt,
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
      `referral reward ${reward.rewardId} (earned before the issuance) applied as referral_bonus`,
      workflowIds.rewardRedemption(reward.rewardId),
    );
  };

  const settings = await loadWorkflowSettings();
  if (!state.facts && !(await condition(() => state.facts !== null, settings.issuanceFactsWaitMs))) {
    return finish('none', null, `the issuance facts did not arrive within ${settings.issuanceFactsWaitMs} ms`);
  }
  const facts = state.facts as IssuanceFacts;
  state.phase = 'deciding';
  const cutoff = facts.promoLaunchCutoffAt !== undefined ? facts.promoLaunchCutoffAt : settings.promoLaunchCutoffAt;
  const promos = planPromos(facts, cutoff);

  // (1) The welcome promo: a referral reward never replaces it.
  if (promos.welcomePromo) return claim('promo_first_month_50pct', 'welcome_promo', promos.why);
  // (2) The oldest pending referral reward earned before the issuance.
  const referral = await applyReferralReward(facts);
  if (referral) return referral;
  // (3) The legacy month-2 promo (same item kind as the welcome promo: it is its second month).
  if (promos.legacyMonth2Promo) return claim('promo_first_month_50pct', 'legacy_month2_promo', promos.why);

  // (4) The usage bonus, if the threshold is crossed before the period ends.
  state.phase = 'waiting_for_usage';
  const periodEndsAtMs = Date.parse(facts.periodEndsAt);
  const crossedInTime = () => state.usageThresholdCrossedAt !== null && Date.parse(state.usageThresholdCrossedAt) <= periodEndsAtMs;
  const remainingMs = periodEndsAtMs - Date.now();
  const crossed = crossedInTime() || (remainingMs > 0 && (await condition(crossedInTime, remainingMs)));
  if (!crossed) return finish('none', null, 'the period ended without the usage threshold being crossed');
  // A referral reward earned before the issuance but granted since still takes precedence.
  const late = await applyReferralReward(facts);
  if (late) return late;
  return claim('bonus', 'usage_bonus', `usage threshold crossed at ${state.usageThresholdCrossedAt ?? '?'} within the period`);
}
