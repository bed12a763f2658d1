import { type Attribution, type RecordConversionResult, type Referral } from '@referrals/attribution';
import { hashRequestBody, lookupIdempotencyKey, storeIdempotentAnswer } from '@referrals/db';
import { grantRewards, inLedgerTransaction, otherRewardedConversions } from '@referrals/ledger';
import { enqueueWork, type OutboxWork } from '@referrals/outbox';
import { type PinnedProgram, type ProgramStore } from '@referrals/programs';
import { formatEvaluation } from '@referrals/rule-dsl';
import { lockBusinessKey } from '@referrals/sql';
import { type SaleAttribution, startOptions, type StartOverrides, workflowTypes } from '@referrals/workflows';
import { type Sequelize, type Transaction } from 'sequelize';
import { conversionKeyString, type ConversionKey } from '@referrals/config';
import { type DecisionCode } from './decision-codes';
import { checkEventTimes, qualifyingEventTimes } from './event-times';
import { checkPaymentMoney, checkRewardMaximum } from './money-checks';
import { type RewardingProduct, type RewardingProducts } from './products';
import { LESSON_EVENTS_PROVIDER, type QualifyingEvent } from './qualifying-events';
import { referralFacts } from './referral-facts';
import { referralRecord, type ReferralRecord, rewardRecord, type RewardRecord } from './records';
import { RewardingError } from './rewarding.errors';
import { roleOutcomes } from './role-outcomes';

export interface RewardingDeps {
  readonly sequelize: Sequelize;
  readonly programs: ProgramStore;
  readonly attribution: Attribution;
  readonly products: RewardingProducts;
  /** Task queue of the workflows this writes to the outbox (the worker's TEMPORAL_TASK_QUEUE). */
  readonly startOverrides?: StartOverrides;
  /** The server's clock (UTC), for refusing host-sent instants in the future; default the system clock. */
  readonly clock?: () => Date;
  /** How far past `clock` a host-sent instant of the past may be (clock drift); default 5 minutes. */
  readonly maxFutureSkewMs?: number;
}

/** What one qualifying event decided: stored with the event, answered byte for byte on every replay. */
export interface QualifyingEventAnswer {
  event: { type: QualifyingEvent['type']; provider: string; sourceId: string };
  conversion: { id: string; attributionId: string; winner: 'referral' | 'affiliate' | 'none'; reason: string };
  referral: ReferralRecord | null;
  decision: DecisionRecord;
  rewards: RewardRecord[];
  /** Workflows queued for the event (through the outbox: started by the relay after commit). */
  workflows: { type: string; workflowId: string }[];
}

export interface RecordedQualifyingEvent {
  readonly answer: QualifyingEventAnswer;
  /** True when the event had been recorded before with the same content: nothing was written. */
  readonly replayed: boolean;
  /** Rewards booked by THIS call (for metrics). */
  readonly booked: readonly RewardRecord[];
}

/** What the rules decided, as the answer records it. */
export interface DecisionRecord {
  code: DecisionCode;
  programKey: string | null;
  programVersion: number | null;
  rule: { index: number; description: string } | null;
  explanation: string[];
}

interface Decision extends DecisionRecord {
  rewards: RewardRecord[];
  booked: boolean;
}

/** The conversion identity of an event. A lesson's id is a source id, not a payment id. */
export function conversionKeyOf(event: QualifyingEvent): ConversionKey {
  return event.type === 'payment.succeeded'
    ? { provider: event.provider, sourceId: event.sourcePaymentId }
    : { provider: LESSON_EVENTS_PROVIDER, sourceId: event.eventId };
}

/**
 * A qualifying event, end to end, in ONE PostgreSQL transaction:
 *
 * 1. the event's identity is locked and its stored answer read: a replay (sequential or
 *    concurrent: the lock orders them) answers what was recorded; other content is a 409;
 * 2. attribution at conversion time (who won: referral, affiliate, nobody), which also locks the
 *    (product, user) pair, so two events of one referee decide one after the other;
 * 3. the reward rules of the program version PINNED on the referral, on facts built from the
 *    product's catalog and price table (never from a price the host claims);
 * 4. first-qualifying-event-only programs: another rewarded event of the referral, read under
 *    that lock, means no reward (two different first payments racing give one reward);
 * 5. the ledger grant for both roles, the referrer cap taken inside it;
 * 6. the Impact SALE report as an outbox row (started by the relay once this commits);
 * 7. the answer, stored under the event's identity.
 *
 * Anything refused (unknown product or tier, an instant in the future or before 2000, a price or currency that disagrees with the price
 * table, a reward above the maximum) is refused before or inside the transaction: nothing is written.
 */
export async function recordQualifyingEvent(deps: RewardingDeps, event: QualifyingEvent): Promise<RecordedQualifyingEvent> {
  const product = deps.products.get(event.product);
  if (!product) {
    throw new RewardingError('product_unknown', `product "${event.product}" is not served here`, {
      issues: [{ path: 'product', code: 'product_unknown', message: `known products: ${deps.products.list().map((p) => p.product).join(', ')}` }],
    });
  }
  checkEventTimes(deps, event.type, qualifyingEventTimes(event));
  const key = conversionKeyOf(event);
  const conversionId = conversionKeyString(key);
  const { type: _type, ...request } = event;
  const requestHash = hashRequestBody(request);
  const facts = event.type === 'payment.succeeded' ? checkPaymentMoney(event, product) : lessonFacts(event);

  const scope = `event:${event.type}`;
  return inLedgerTransaction(deps.sequelize, async (t): Promise<RecordedQualifyingEvent> => {
    await lockBusinessKey(deps.sequelize, t, `${scope}:${conversionId}`);
    const seen = await lookupIdempotencyKey(deps.sequelize, scope, conversionId, requestHash, t);
    if (seen.kind === 'conflict') {
      throw new RewardingError(
        'event_exists_with_different_content',
        `${event.type} ${key.provider}/${key.sourceId} was recorded with other content; the first recording stands`,
      );
    }
    if (seen.kind === 'replay') return { answer: seen.body as QualifyingEventAnswer, replayed: true, booked: [] };

    const recorded = await deps.attribution.recordConversion(
      {
        provider: key.provider,
        sourceId: key.sourceId,
        product: event.product,
        userId: event.userId,
        conversionTime: new Date(occurredAtOf(event)),
        sale: isSale(event),
      },
      { transaction: t },
    );
    const { rewards, booked, ...decision } = await decideReward(deps, t, event, recorded, conversionId, product, facts);
    const works = event.type === 'payment.succeeded' && product.reportsSales && isSale(event) ? await saleReportWork(deps, t, event, recorded, conversionId, product) : [];
    const queued = await enqueueWork(deps.sequelize, t, works);
    const { conversion, referral } = recorded;
    const answer: QualifyingEventAnswer = {
      event: { type: event.type, provider: key.provider, sourceId: key.sourceId },
      conversion: { id: conversionId, attributionId: conversion.id, winner: conversion.winner, reason: conversion.reason },
      referral: referral ? referralRecord(referral) : null,
      decision,
      rewards,
      workflows: queued.map((w) => ({ type: w.workflowType, workflowId: w.workflowId })),
    };
    await storeIdempotentAnswer(deps.sequelize, { scope, key: conversionId, requestHash, status: 200, body: answer }, t);
    return { answer, replayed: false, booked: booked ? rewards : [] };
  });
}

const occurredAtOf = (event: QualifyingEvent): string => (event.type === 'payment.succeeded' ? event.paidAt : event.completedAt);

/** A paid SALE (reported to Impact; marks a winning affiliate touch sale-attributed). A lesson is not one. */
const isSale = (event: QualifyingEvent): boolean => event.type === 'payment.succeeded' && event.amount.minor > 0;

function lessonFacts(event: Extract<QualifyingEvent, { type: 'lesson.completed' }>): Record<string, unknown> {
  const facts = structuredClone(event.facts ?? {});
  Object.assign(facts, {
    lesson: {
      id: event.lesson.id,
      usd_amount: event.lesson.usdAmount,
      duration_minutes: event.lesson.durationMinutes,
      sequence: event.lesson.sequence,
      is_trial: event.lesson.isTrial,
      ...(event.lesson.subject ? { subject: event.lesson.subject } : {}),
      completed_at: event.completedAt,
    },
    event: { sequence: event.eventSequence ?? event.lesson.sequence },
  });
  return facts;
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

async function decideReward(
  deps: RewardingDeps,
  t: Transaction,
  event: QualifyingEvent,
  recorded: RecordConversionResult,
  conversionId: string,
  product: RewardingProduct,
  eventFacts: Record<string, unknown>,
): Promise<Decision> {
  const { conversion, referral } = recorded;
  if (conversion.winner !== 'referral') return nothing('not_attributed_to_referral', null, [`attribution: ${conversion.reason}`]);
  if (!referral) return nothing('no_referral', null, ['a referral touch won, but the user has no referral for the product (no signup recorded)']);
  if (referral.status !== 'qualified' || referral.programKey === null || referral.programVersion === null || referral.referrerUserId === null) {
    return nothing('referral_not_qualified', referral, [`referral ${referral.status}: ${referral.reasons.join(', ') || 'no program'}`]);
  }
  // Compiled versions are cached; a miss reads in this transaction (never a second pooled connection).
  const pinned: PinnedProgram = await deps.programs.load(referral.programKey, referral.programVersion, { transaction: t });
  const facts = referralFacts(pinned.compiled.catalog, eventFacts, {
    referrerUserId: referral.referrerUserId,
    refereeUserId: referral.refereeUserId,
    createdAt: referral.signedUpAt,
    signedUpAt: referral.signedUpAt,
  });
  const occurredAt = new Date(occurredAtOf(event));
  const evaluation = pinned.compiled.evaluateReward(event.type, facts, { at: occurredAt });
  const explanation = formatEvaluation(evaluation);
  const base = {
    programKey: pinned.key,
    programVersion: pinned.version,
    rule: evaluation.rule ? { index: evaluation.rule.index, description: evaluation.rule.description } : null,
    explanation,
  };
  if (evaluation.code !== 'rewarded') return { ...base, code: evaluation.code, rewards: [], booked: false };

  const document = pinned.document;
  if (document.limits.firstQualifyingEventOnly) {
    // Read under the (product, referee) lock recordConversion holds until commit: a racing first
    // event of the same referral waits for this one and then sees its rewards here.
    const others = await otherRewardedConversions(deps.sequelize, { programKey: pinned.key, referralId: referral.id, exceptConversionId: conversionId }, { transaction: t });
    if (others.length > 0) {
      return { ...base, code: 'not_first_qualifying_event', rewards: [], booked: false, explanation: [...explanation, `an earlier event of this referral was already rewarded (${others[0]})`] };
    }
  }
  const outcomes = roleOutcomes(document, evaluation, occurredAt);
  if (outcomes.length === 0) return { ...base, code: 'reward_amount_zero', rewards: [], booked: false };
  checkRewardMaximum(event, product, outcomes);
  const granted = await grantRewards(
    deps.sequelize,
    {
      programKey: pinned.key,
      programVersion: pinned.version,
      // The ledger's product is the one issuances and redemptions (the worker) look rewards up by.
      product: product.product,
      conversionId,
      referralId: referral.id,
      referrerId: referral.referrerUserId,
      refereeId: referral.refereeUserId,
      earnedAt: occurredAt,
      referrerCap: document.limits.referrerRewardCap ?? null,
      outcomes,
      actor: `rewarding:${event.type}`,
    },
    { transaction: t },
  );
  return { ...base, code: 'rewarded', rewards: granted.rewards.map(rewardRecord), booked: !granted.replayed };
}

/** The SALE report: the referral SALE (affiliate SALE suppressed) or the affiliate SALE with its click id. */
async function saleReportWork(
  deps: RewardingDeps,
  t: Transaction,
  event: Extract<QualifyingEvent, { type: 'payment.succeeded' }>,
  recorded: RecordConversionResult,
  conversionId: string,
  product: RewardingProduct,
): Promise<OutboxWork[]> {
  const { conversion, touch, referral } = recorded;
  let attribution: SaleAttribution;
  if (conversion.winner === 'referral') {
    attribution = { winner: 'referral', affiliateClickId: await losingClickId(deps, t, event, recorded) };
  } else if (conversion.winner === 'affiliate' && touch?.clickId) {
    attribution = { winner: 'affiliate', clickId: touch.clickId };
  } else {
    return [];
  }
  const options = startOptions.conversionReport(
    {
      conversionId,
      product: product.product,
      programKey: referral?.programKey ?? null,
      provider: event.provider,
      sourcePaymentId: event.sourcePaymentId,
      userId: event.userId,
      customerEmail: event.email ?? null,
      occurredAt: new Date(event.paidAt).toISOString(),
      amountMinor: event.amount.minor,
      currency: event.amount.currency,
      item: { category: event.product, name: event.subscription.tier, sku: event.subscription.tier, quantity: 1 },
      ...(event.promoCode ? { promoCode: event.promoCode } : {}),
      attribution,
    },
    deps.startOverrides,
  );
  return [{ kind: 'start', workflowType: workflowTypes.conversionReport, options }];
}

/** The click id of the oldest valid affiliate touch the referral beat (its SALE is suppressed). */
async function losingClickId(deps: RewardingDeps, t: Transaction, event: QualifyingEvent, recorded: RecordConversionResult): Promise<string | null> {
  const affiliate = recorded.conversion.verdicts.filter((v) => v.kind === 'affiliate' && v.verdict === 'valid');
  if (affiliate.length === 0) return null;
  const touches = await deps.attribution.listTouches({ userId: event.userId, product: event.product }, { transaction: t });
  const ids = new Set(affiliate.map((v) => v.touchId));
  return touches.find((t) => ids.has(t.id) && t.clickId !== null)?.clickId ?? null;
}
