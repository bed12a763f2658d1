import { defineQuery, defineSignal } from '@temporalio/workflow';
import { type DeliveryProgress } from './contracts/delivery.contract';
import { type IssuanceBonusState, type IssuanceFacts, type UsageThresholdCrossed } from './contracts/issuance-bonus.contract';

/**
 * Signals and queries, next to the task queue: the api sends and asks them by these definitions
 * (`handle.signal(usageThresholdCrossedSignal, ...)`), the workflows handle them.
 */

/** Issuance facts for `decideIssuanceBonus` (billing: issuance created). First one wins. */
export const issuanceCreatedSignal = defineSignal<[IssuanceFacts]>('issuanceCreated');

/** Billing: the subscriber crossed the usage threshold in the issuance period. First one wins. */
export const usageThresholdCrossedSignal = defineSignal<[UsageThresholdCrossed]>('usageThresholdCrossed');

/** Where `decideIssuanceBonus` stands (phase, facts, usage, result). */
export const issuanceBonusStateQuery = defineQuery<IssuanceBonusState>('issuanceBonusState');

/** Where a delivery workflow stands: status, attempts, last error, next attempt time. */
export const deliveryProgressQuery = defineQuery<DeliveryProgress | null>('deliveryProgress');
