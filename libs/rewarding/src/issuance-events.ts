import { inLedgerTransaction, recordIssuanceReceived } from '@referrals/ledger';
import { enqueueWork } from '@referrals/outbox';
import { type IssuanceFacts, issuanceCreatedSignalWithStart, usageThresholdCrossedSignalWithStart, workflowTypes } from '@referrals/workflows';
import { type RewardingProduct } from './products';
import { checkEventTimes, issuanceCreatedTimes, usageThresholdTimes } from './event-times';
import { type RewardingDeps } from './record-qualifying-event';
import { RewardingError } from './rewarding.errors';

interface IssuanceIds {
  readonly issuanceId: string;
  readonly subscriberId: string;
  readonly product: string;
  readonly programKey?: string | null | undefined;
}

/** The facts billing sends; the welcome-promo launch cutoff is the product's, never the event's. */
export type IssuanceCreatedEvent = IssuanceIds & Omit<IssuanceFacts, 'welcomePromoLaunchCutoffAt' | 'paymentInstrumentAlreadyClaimed'>;
export type UsageThresholdCrossedEvent = IssuanceIds & { readonly crossedAt: string };

export interface IssuanceSignalAnswer {
  issuanceId: string;
  workflowId: string;
  /** queued: written to the outbox; the relay delivers it to the issuance's workflow (started when needed). */
  outcome: 'queued';
}

function productOf(deps: RewardingDeps, event: IssuanceIds) {
  const product = deps.products.get(event.product);
  if (!product) throw new RewardingError('product_unknown', `product "${event.product}" is not served here`, {
      issues: [{ path: 'product', code: 'product_unknown', message: 'unknown product' }],
    });
  return product;
}

function idsOf(product: RewardingProduct, event: IssuanceIds) {
  return { issuanceId: event.issuanceId, subscriberId: event.subscriberId, product: product.product, programKey: event.programKey ?? null };
}

/**
 * Billing's "issuance created": the facts go to the issuance's `decideIssuanceBonus` workflow by
 * signalWithStart, through the outbox, and the issuance is recorded `pending` (readable through
 * `getIssuanceOutcome`) in the same transaction; no wait for Temporal. The product's welcome-promo
 * launch cutoff is stamped on the facts, so the workflow's history shows the cutoff it decided
 * with. The same facts sent again are one signal; the workflow takes the first facts it gets.
 */
export async function queueIssuanceCreated(deps: RewardingDeps, event: IssuanceCreatedEvent): Promise<IssuanceSignalAnswer> {
  const product = productOf(deps, event);
  const ids = idsOf(product, event);
  checkEventTimes(deps, 'issuance created', issuanceCreatedTimes(event));
  const facts: IssuanceFacts = {
    issuanceCreatedAt: event.issuanceCreatedAt,
    periodEndsAt: event.periodEndsAt,
    interval: event.interval,
    ...(event.subscriptionStatus === undefined ? {} : { subscriptionStatus: event.subscriptionStatus }),
    issuanceNumber: event.issuanceNumber,
    firstTimeSubscriber: event.firstTimeSubscriber,
    subscriberStartedAt: event.subscriberStartedAt,
    ...(event.welcomePromoEligible === undefined ? {} : { welcomePromoEligible: event.welcomePromoEligible }),
    welcomePromoLaunchCutoffAt: product.welcomePromoLaunchCutoffAt ?? null,
    // Kilo rule 179: stamped only when true, so facts of subscribers the guard never blocked read as before.
    ...((await instrumentBlocksWelcomePromo(deps, event)) ? { paymentInstrumentAlreadyClaimed: true } : {}),
  };
  const options = issuanceCreatedSignalWithStart(ids, facts, deps.startOverrides);
  await inLedgerTransaction(deps.sequelize, async (t) => {
    await recordIssuanceReceived(deps.sequelize, { issuanceId: ids.issuanceId, subscriberId: ids.subscriberId, product: ids.product, facts: { ...facts } }, { transaction: t });
    await enqueueWork(deps.sequelize, t, [{ kind: 'signal_with_start', workflowType: workflowTypes.issuanceBonus, options }]);
  });
  return { issuanceId: ids.issuanceId, workflowId: options.workflowId, outcome: 'queued' };
}

/**
 * Kilo rule 179: a first-time subscriber whose first positive monthly settlement used an
 * instrument another account had claimed gets no welcome promo (the normal monthly ramp). Read
 * from the engine's record of that settlement (billing sends the payment before its issuance).
 */
async function instrumentBlocksWelcomePromo(deps: RewardingDeps, event: IssuanceCreatedEvent): Promise<boolean> {
  if (!event.firstTimeSubscriber || (event.interval ?? 'month') !== 'month') return false;
  return deps.attribution.firstSettlementInstrumentClaimed({ product: event.product, userId: event.subscriberId });
}

/**
 * Billing's "usage threshold crossed": signalWithStart through the outbox (the issuance is recorded
 * `pending` if it was unknown). Once the issuance was decided it changes nothing.
 */
export async function queueUsageThresholdCrossed(deps: RewardingDeps, event: UsageThresholdCrossedEvent): Promise<IssuanceSignalAnswer> {
  const ids = idsOf(productOf(deps, event), event);
  checkEventTimes(deps, 'usage threshold crossed', usageThresholdTimes(event));
  const options = usageThresholdCrossedSignalWithStart(ids, { crossedAt: event.crossedAt }, deps.startOverrides);
  await inLedgerTransaction(deps.sequelize, async (t) => {
    await recordIssuanceReceived(deps.sequelize, { issuanceId: ids.issuanceId, subscriberId: ids.subscriberId, product: ids.product, facts: null }, { transaction: t });
    await enqueueWork(deps.sequelize, t, [{ kind: 'signal_with_start', workflowType: workflowTypes.issuanceBonus, options }]);
  });
  return { issuanceId: ids.issuanceId, workflowId: options.workflowId, outcome: 'queued' };
}
