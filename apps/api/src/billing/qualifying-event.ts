import { type RecordConversionResult, type Referral } from '@referrals/attribution';
import { grantRewards, listRewards, type Reward } from '@referrals/ledger';
import { formatEvaluation } from '@referrals/rule-dsl';
import { type SaleAttribution, startOptions, workflowTypes } from '@referrals/workflows';
import { ApiError } from '../http/api-error';
import { answerOnce } from '../http/idempotency';
import { type ProductConfig } from '../products';
import { type ApiServices } from '../services';
import { referralFacts } from '../facts';
import { referralView, rewardView } from '../storefront/referral-views';
import { type DecisionCode, type QualifyingEventResponse } from './qualifying-event.schemas';
import { roleOutcomes } from './reward-outcomes';

export interface QualifyingEvent {
  type: 'payment.succeeded' | 'lesson.completed';
  /** With `sourceId`, the event's identity: a replay is the same provider and source id. */
  provider: string;
  sourceId: string;
  product: string;
  userId: string;
  occurredAt: Date;
  /** A paid SALE (reported to Impact, marks a winning affiliate touch sale-attributed). */
  sale: boolean;
  /** Reward-phase facts from the event and the host, nested by catalog path. */
  facts: Record<string, unknown>;
  /** For the SALE report. */
  report?: {
    amountMinor: number;
    currency: string;
    customerEmail?: string;
    item?: { category?: string; name?: string; sku?: string; quantity?: number };
    promoCode?: string;
  };
  /** The parsed request: what a replay must match. */
  request: unknown;
}

/** The ledger names a conversion by its source: `stripe:in_123`. Adverse notices use the same. */
export const ledgerConversionId = (provider: string, sourceId: string): string => `${provider}:${sourceId}`;

interface Decision {
  code: DecisionCode;
  programKey: string | null;
  programVersion: number | null;
  rule: { index: number; description: string } | null;
  explanation: string[];
  rewards: Reward[];
  booked: boolean;
}

const nothing = (code: DecisionCode, referral: Referral | null, explanation: string[] = []): Decision => ({
  code,
  programKey: referral?.programKey ?? null,
  programVersion: referral?.programVersion ?? null,
  rule: null,
  explanation,
  rewards: [],
  booked: false,
});

/**
 * A qualifying event, end to end:
 *
 * 1. attribution at conversion time (`recordConversion`): ONE transaction, idempotent per
 *    (provider, source id): a replay returns the recorded winner, whatever touches changed since;
 * 2. the reward rules of the program version PINNED on the referral (`evaluateReferralReward`):
 *    pure, deterministic for the same facts and time;
 * 3. the ledger grant for both roles (`grantRewards`): ONE transaction, idempotent per
 *    (program, conversion, role), the referrer cap enforced inside it;
 * 4. the side-effect workflows (Impact SALE report) by business-derived ids: a second start is a
 *    no-op;
 * 5. the answer, stored under the event's identity: every replay (sequential or concurrent) gets
 *    the same bytes back; the same identity with other content is a 409.
 *
 * Steps 1 and 3 are separate transactions because each lib owns its transaction (neither takes
 * an outer one). A crash between them leaves a recorded conversion without its grant; the
 * billing system's retry of the same event replays step 1, redoes 2, and completes 3-5. Nothing
 * is answered as done before every step is.
 */
export async function decideQualifyingEvent(services: ApiServices, event: QualifyingEvent): Promise<{ status: number; body: unknown; replayed: boolean }> {
  const product = services.products.get(event.product);
  if (!product) {
    throw new ApiError(400, 'product_unknown', `product "${event.product}" is not served by this api`, [
      { path: 'body.product', message: `known products: ${services.products.list().map((p) => p.product).join(', ')}` },
    ]);
  }
  const answer = await answerOnce(
    services.sequelize,
    {
      scope: `event:${event.type}`,
      key: ledgerConversionId(event.provider, event.sourceId),
      request: event.request,
      conflictCode: 'event_exists_with_different_content',
      conflictMessage: `${event.type} ${event.provider}/${event.sourceId} was recorded with other content; the first recording stands`,
    },
    async () => ({ status: 200, body: await decide(services, event, product) }),
  );
  if (answer.replayed) services.metrics.replays.inc({ scope: event.type });
  return answer;
}

async function decide(services: ApiServices, event: QualifyingEvent, product: ProductConfig): Promise<QualifyingEventResponse> {
  const conversionId = ledgerConversionId(event.provider, event.sourceId);
  const recorded = await services.attribution.recordConversion({
    provider: event.provider,
    sourcePaymentId: event.sourceId,
    product: event.product,
    userId: event.userId,
    conversionTime: event.occurredAt,
    sale: event.sale,
  });
  const decision = await decideReward(services, event, recorded, conversionId, product);
  const workflows = product.reportsSales && event.sale ? await startSaleReport(services, event, recorded, conversionId, product) : [];

  if (!recorded.replayed) {
    services.metrics.conversions.inc({ event: event.type, winner: recorded.conversion.winner, decision: decision.code });
  }
  if (decision.booked) for (const r of decision.rewards) services.metrics.rewards.inc({ role: r.role, status: r.status });

  const { conversion, referral } = recorded;
  return {
    event: { type: event.type, provider: event.provider, sourceId: event.sourceId },
    conversion: { id: conversionId, attributionId: conversion.id, winner: conversion.winner, reason: conversion.reason },
    referral: referral ? referralView(referral) : null,
    decision: {
      code: decision.code,
      programKey: decision.programKey,
      programVersion: decision.programVersion,
      rule: decision.rule,
      explanation: decision.explanation,
    },
    rewards: decision.rewards.map((r) => rewardView(r)),
    workflows,
  };
}

async function decideReward(
  services: ApiServices,
  event: QualifyingEvent,
  recorded: RecordConversionResult,
  conversionId: string,
  product: ProductConfig,
): Promise<Decision> {
  const { conversion, referral } = recorded;
  if (conversion.winner !== 'referral') return nothing('not_attributed_to_referral', null, [`attribution: ${conversion.reason}`]);
  if (!referral) return nothing('no_referral', null, ['a referral touch won, but the user has no referral for the product (no signup recorded)']);
  if (referral.status !== 'qualified' || referral.programKey === null || referral.programVersion === null || referral.referrerUserId === null) {
    return nothing('referral_not_qualified', referral, [`referral ${referral.status}: ${referral.reasons.join(', ') || 'no program'}`]);
  }
  const pinned = await services.programs.load(referral.programKey, referral.programVersion);
  const facts = referralFacts(pinned.compiled.catalog, event.facts, {
    referrerUserId: referral.referrerUserId,
    refereeUserId: referral.refereeUserId,
    createdAt: referral.signedUpAt,
    signedUpAt: referral.signedUpAt,
  });
  const evaluated = await services.attribution.evaluateReferralReward({ referralId: referral.id, trigger: event.type, facts, at: event.occurredAt });
  if (!evaluated.evaluated) return nothing('referral_not_qualified', referral);
  const evaluation = evaluated.evaluation;
  const explanation = formatEvaluation(evaluation);
  const base = {
    programKey: evaluated.programKey,
    programVersion: evaluated.programVersion,
    rule: evaluation.rule ? { index: evaluation.rule.index, description: evaluation.rule.description } : null,
    explanation,
  };
  if (evaluation.code !== 'rewarded') return { ...base, code: evaluation.code, rewards: [], booked: false };

  const document = pinned.document;
  if (document.limits.firstQualifyingEventOnly && (await rewardedBefore(services, referral, conversionId))) {
    return { ...base, code: 'not_first_qualifying_event', rewards: [], booked: false, explanation: [...explanation, 'an earlier event of this referral was already rewarded'] };
  }
  const outcomes = roleOutcomes(document, evaluation, event.occurredAt);
  if (outcomes.length === 0) return { ...base, code: 'reward_amount_zero', rewards: [], booked: false };
  const granted = await grantRewards(services.sequelize, {
    programKey: evaluated.programKey,
    programVersion: evaluated.programVersion,
    // The ledger's product is the one issuances and redemptions (the worker) look rewards up by.
    product: product.product,
    conversionId,
    referralId: referral.id,
    referrerId: referral.referrerUserId,
    refereeId: referral.refereeUserId,
    earnedAt: event.occurredAt,
    referrerCap: document.limits.referrerRewardCap ?? null,
    outcomes,
    actor: `api:${event.type}`,
  });
  return { ...base, code: 'rewarded', rewards: granted.rewards, booked: !granted.replayed };
}

/**
 * First-qualifying-event-only programs: was another event of this referral rewarded already? The
 * evaluator decides one event and cannot know; the ledger's rewards of the referral tell. (Two
 * different first events racing each other can both pass; billing sends one first payment.)
 */
async function rewardedBefore(services: ApiServices, referral: Referral, conversionId: string): Promise<boolean> {
  const programKey = referral.programKey ?? '';
  const beneficiaries = [referral.refereeUserId, referral.referrerUserId].filter((id): id is string => id !== null);
  for (const beneficiaryId of beneficiaries) {
    const rewards = await listRewards(services.sequelize, { beneficiaryId, programKey, limit: 1000 });
    if (rewards.some((r) => r.sourceReferralId === referral.id && r.sourceConversionId !== conversionId)) return true;
  }
  return false;
}

/** The SALE report workflow: the referral SALE (affiliate SALE suppressed) or the affiliate SALE with its click id. */
async function startSaleReport(
  services: ApiServices,
  event: QualifyingEvent,
  recorded: RecordConversionResult,
  conversionId: string,
  product: ProductConfig,
): Promise<{ type: string; workflowId: string }[]> {
  const { conversion, touch, referral } = recorded;
  let attribution: SaleAttribution;
  if (conversion.winner === 'referral') {
    attribution = { winner: 'referral', affiliateClickId: await losingClickId(services, event, recorded) };
  } else if (conversion.winner === 'affiliate' && touch?.clickId) {
    attribution = { winner: 'affiliate', clickId: touch.clickId };
  } else {
    return [];
  }
  const report = event.report;
  const started = await services.workflows.start(
    workflowTypes.conversionReport,
    startOptions.conversionReport(
      {
        conversionId,
        product: product.product,
        programKey: referral?.programKey ?? null,
        provider: event.provider,
        sourcePaymentId: event.sourceId,
        userId: event.userId,
        customerEmail: report?.customerEmail ?? null,
        occurredAt: event.occurredAt.toISOString(),
        amountMinor: report?.amountMinor ?? 0,
        currency: report?.currency ?? 'USD',
        ...(report?.item ? { item: report.item } : {}),
        ...(report?.promoCode ? { promoCode: report.promoCode } : {}),
        attribution,
      },
      services.startOverrides,
    ),
  );
  return [{ type: started.type, workflowId: started.workflowId }];
}

/** The click id of the oldest valid affiliate touch the referral beat (its SALE is suppressed). */
async function losingClickId(services: ApiServices, event: QualifyingEvent, recorded: RecordConversionResult): Promise<string | null> {
  const affiliate = recorded.conversion.verdicts.filter((v) => v.kind === 'affiliate' && v.verdict === 'valid');
  if (affiliate.length === 0) return null;
  const touches = await services.attribution.listTouches({ userId: event.userId, product: event.product });
  const ids = new Set(affiliate.map((v) => v.touchId));
  return touches.find((t) => ids.has(t.id) && t.clickId !== null)?.clickId ?? null;
}
