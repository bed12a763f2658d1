import {
  deliveryBusinessIds,
  deliveryKeys,
  deliveryRequestId,
  getDelivery,
  getParticipantRegistration,
  isImpactSyncError,
  isTerminalDeliveryStatus,
  listChosenImpactRewardIds,
  recordChosenImpactReward,
} from '@referrals/impact-sync';
import { getRewardHistory } from '@referrals/ledger';
import { type RedemptionActivities } from '@referrals/workflows';
import { type ActivityDeps } from './activity-deps';
import { deliveryActivityBody } from './heartbeats';
import {
  activityCancellationSignal,
  deliveryToAttempt,
  endOfImpactOutcome,
  openDelivery,
  recordAttemptEnd,
  resultOf,
  type AttemptEnd,
} from './delivery-recording';

/**
 * Redemption of an applied reward in Impact Advocate. The chosen Impact reward id is persisted
 * BEFORE the redeem call, and every redeem passes the id chosen by an EARLIER attempt: when an
 * answer is lost (timeout, worker stopped or killed), the next attempt's "already redeemed" is our
 * own redemption and counts as success; the same answer for a reward we never chose is permanent.
 * A killed worker's attempt is retried (same attempt) after the heartbeat timeout (heartbeats.ts).
 */
export function createRedemptionActivities(deps: ActivityDeps): RedemptionActivities {
  const { sequelize, impact } = deps;
  return {
    openRewardRedemption: ({ rewardId, workflowId }) =>
      deliveryActivityBody(async () => {
        const { reward } = await getRewardHistory(sequelize, rewardId);
        return openDelivery(sequelize, {
          kind: 'reward_redemption',
          businessId: deliveryBusinessIds.rewardRedemption(reward.id),
          deliveryKey: deliveryKeys.rewardRedemption(reward.id),
          product: reward.product,
          programKey: reward.programKey,
          userId: reward.beneficiaryId,
          workflowId,
        });
      }),

    attemptRewardRedemption: ({ rewardId, attempt, retryDelayMs }) =>
      deliveryActivityBody(async () => {
        const businessId = deliveryBusinessIds.rewardRedemption(rewardId);
        const current = await deliveryToAttempt(sequelize, 'reward_redemption', businessId);
        if (isTerminalDeliveryStatus(current.status)) return { state: 'ended', result: resultOf(current) };
        const requestId = deliveryRequestId(deliveryKeys.rewardRedemption(rewardId), attempt);
        const end = await redeemOnce(deps, rewardId, current.chosenImpactRewardId, requestId);
        return recordAttemptEnd(deps, current, requestId, { attempt, retryDelayMs }, end);
      }),
  };

  async function redeemOnce(deps: ActivityDeps, rewardId: string, chosenBefore: string | null, requestId: string): Promise<AttemptEnd> {
    const { reward } = await getRewardHistory(sequelize, rewardId);
    if (reward.status === 'review_required') {
      return { outcome: 'retrying', error: { code: 'reward_under_review', message: `reward ${rewardId} is under review after an adverse payment`, httpStatus: null } };
    }
    if (reward.status !== 'applied') return { outcome: 'suppressed', reason: `the reward is ${reward.status}, not applied: nothing to redeem` };
    if (reward.amountMinor === null || reward.amountMinor <= 0) {
      return { outcome: 'failed', error: { code: 'reward_amount_missing', message: `reward ${rewardId} has no positive amount`, httpStatus: null } };
    }
    const { advocate } = impact.forProduct(reward.product);
    if (!advocate.enabled) {
      const code = impact.configuredProducts.includes(reward.product) ? 'impact_advocate_not_configured' : 'impact_product_not_configured';
      return { outcome: 'disabled', error: { code, message: `Impact Advocate is not configured for product "${reward.product}"; nothing was sent`, httpStatus: null } };
    }
    const participant = await getParticipantRegistration(sequelize, reward.programKey, reward.beneficiaryId);
    if (!participant) {
      // A registration that ended failed or disabled will not register the beneficiary by itself:
      // the redemption ends failed too (visible in ops) instead of waiting for it until its maximum age.
      const registration = await getDelivery(sequelize, 'participant_registration', deliveryBusinessIds.participantRegistration(reward.programKey, reward.beneficiaryId));
      if (registration && (registration.status === 'failed' || registration.status === 'disabled')) {
        return {
          outcome: 'failed',
          error: {
            code: 'participant_unregistrable',
            message: `the beneficiary's Advocate registration for ${reward.programKey} ended ${registration.status} (${registration.lastError?.code ?? 'no error recorded'}): requeue it, then this redemption`,
            httpStatus: null,
          },
        };
      }
      return {
        outcome: 'retrying',
        error: { code: 'participant_not_registered', message: `the beneficiary is not registered with Impact for ${reward.programKey} yet`, httpStatus: null },
      };
    }
    const options = { requestId, signal: activityCancellationSignal() };

    let chosen = chosenBefore;
    let previouslyChosen = chosenBefore;
    if (chosen === null) {
      const excludeRewardIds = await listChosenImpactRewardIds(sequelize, {
        product: reward.product,
        userId: reward.beneficiaryId,
        exceptRewardId: rewardId,
      });
      const found = await advocate.findRewardToRedeem(
        { accountId: participant.accountId, userId: participant.participantId, amountMinor: reward.amountMinor, excludeRewardIds },
        options,
      );
      if (found.kind !== 'ok') return endOfImpactOutcome(found, () => ({ outcome: 'succeeded' }));
      try {
        // Persisted before redeeming; the first choice ever made for this reward stands.
        const persisted = await recordChosenImpactReward(sequelize, { rewardId, impactRewardId: found.value.rewardId, now: deps.clock() });
        chosen = persisted.chosenImpactRewardId;
        // Chosen by a concurrent execution of this very reward's attempt: it may have redeemed it.
        if (!persisted.chosenNow) previouslyChosen = chosen;
      } catch (error) {
        if (!isImpactSyncError(error) || error.code !== 'impact_reward_already_chosen') throw error;
        return { outcome: 'retrying', error: { code: error.code, message: error.message, httpStatus: null } };
      }
    }
    const redeemed = await advocate.redeemReward(
      { rewardId: chosen, amountMinor: reward.amountMinor, previouslyChosenRewardId: previouslyChosen },
      options,
    );
    return endOfImpactOutcome(redeemed, (success) =>
      success.kind === 'already_redeemed'
        ? { outcome: 'succeeded', details: { alreadyRedeemed: true, impactMessage: success.message } }
        : { outcome: 'succeeded', details: { creditRedeemed: success.value.creditRedeemed, unit: success.value.unit } },
    );
  }
}
