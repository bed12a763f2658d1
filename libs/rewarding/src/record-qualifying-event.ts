import { type Attribution, type ConversionOutcome, type PaymentInstrumentOutcome, type EarlierSubscription, type RecordConversionResult, type Referral } from '@referrals/attribution';
import { hashRequestBody, idempotentAnswerWrite, lookupIdempotencyKey } from '@referrals/db';
import { grantRewards, inLedgerTransaction, otherRewardedConversions } from '@referrals/ledger';
import { outboxWrite, type OutboxWork, queuedWorks } from '@referrals/outbox';
import { type PinnedProgram, type ProgramStore } from '@referrals/programs';
import { formatEvaluation, type RewardExplanation } from '@referrals/rule-dsl';
import { lockBusinessKey, runWritesTogether, type SqlWrite } from '@referrals/sql';
import { saleRequestWrite } from '@referrals/impact-sync';
import { type SaleAttribution, startOptions, type StartOverrides, workflowTypes } from '@referrals/workflows';
import { type Sequelize, type Transaction } from 'sequelize';
import { conversionKeyString, type ConversionKey } from '@referrals/config';
import { type DecisionCode } from './decision-codes';
import { decisionRecordWrite } from './decision-records';
import { checkDeclaredFacts } from './declared-facts';
import { fallbackReasons, reasonOfOrigin, reasonsOfAttribution, reasonsOfEvaluation, reasonsOfRewards } from './eligibility-reasons';
import { checkEventTimes, qualifyingEventTimes } from './event-times';
import { checkPaymentMoney, checkRewardMaximum } from './money-checks';
import { checkPaymentInstrument, instrumentDecision, paymentMethodRecord, type PaymentMethodRecord } from './payment-instrument-guard';
import { type RewardingProduct, type RewardingProducts } from './products';
import { LESSON_EVENTS_PROVIDER, type PaymentOrigin, type QualifyingEvent } from './qualifying-events';
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
  /**
   * Server secret keying the payment-instrument digests (PAYMENT_INSTRUMENT_HASH_SECRET): only
   * HMACs of fingerprints are stored. Keep it stable: rotating it forgets every claim.
   */
  readonly paymentInstrumentHashSecret: string;
}

/** What one qualifying event decided: stored with the event, answered byte for byte on every replay. */
export interface QualifyingEventAnswer {
  event: { type: QualifyingEvent['type']; provider: string; sourceId: string };
  conversion: {
    id: string;
    attributionId: string;
    winner: 'referral' | 'affiliate' | 'none';
    reason: string;
    /** The touch that won (item 10: which one and of what kind); null when nobody won. */
    winningTouch: { id: string; kind: 'referral' | 'affiliate' } | null;
  };
  referral: ReferralRecord | null;
  decision: DecisionRecord;
  /**
   * What the payment-instrument guard found (Kilo rules 176-184); null when billing reported no
   * method. Never names the instrument or another account.
   */
  paymentMethod?: PaymentMethodRecord | null;
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
  /**
   * Why nobody was rewarded (or the referrer was capped), as eligibility reason codes
   * (`eligibilityReasons`); empty when every role was granted. Stored on the conversion and the referral.
   */
  reasons: string[];
}

interface Decision extends DecisionRecord {
  rewards: RewardRecord[];
  booked: boolean;
  /** What the pinned rules saw and said, for the decision record; absent when the decision came before the rules. */
  evaluated?: Evaluated;
}

interface Evaluated {
  readonly facts: Record<string, unknown>;
  readonly explanation: RewardExplanation | null;
  /** Lines after the rules' explanation (the first-qualifying-event rule). */
  readonly notes: readonly string[];
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
  checkDeclaredFacts(deps.programs.catalogs.get(event.product), event.facts, event.product);
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
    const history = event.type === 'payment.succeeded' ? await recordSubscriptionHistory(deps, t, event) : null;
    const instrument = event.type === 'payment.succeeded' ? await checkPaymentInstrument(deps, t, event, product) : null;
    const origin = await originCheck(deps, t, event, key);
    const decided =
      origin.held !== null
        ? nothing('not_customer_payment', recorded.referral, [`the host marked the payment ${origin.held}; no operator marked the conversion eligible`], [reasonOfOrigin(origin.held)])
        : await decideReward(deps, t, event, recorded, conversionId, product, facts, history?.earlierSubscription ?? null, instrument);
    const { rewards, booked, evaluated, ...decision } = { ...decided, explanation: [...origin.explanation, ...decided.explanation] };
    const { outcome, write: outcomeWrite } = await recordOutcome(deps, t, recorded, key, decision, rewards);
    const decisionRecord = decisionRecordWrite({
      conversionId,
      eventType: event.type,
      occurredAt: new Date(occurredAtOf(event)),
      programKey: decision.programKey,
      programVersion: decision.programVersion,
      referralId: recorded.referral?.id ?? null,
      referrerUserId: recorded.referral?.referrerUserId ?? null,
      refereeUserId: recorded.referral?.refereeUserId ?? null,
      code: decision.code,
      ruleIndex: decision.rule?.index ?? null,
      facts: evaluated?.facts ?? null,
      explanation: evaluated?.explanation ?? null,
      notes: evaluated ? [...origin.explanation, ...evaluated.notes] : decision.explanation,
      rewards,
      recordedAt: (deps.clock ?? (() => new Date()))(),
    });
    const reportsSale = event.type === 'payment.succeeded' && product.reportsSales && isSale(event) && origin.held === null;
    const sale = reportsSale ? await saleReport(deps, t, event, recorded, conversionId, product) : null;
    const works = sale?.works ?? [];
    const queued = queuedWorks(works);
    const { conversion, referral } = recorded;
    const winningTouch = conversion.winningTouchId && conversion.winningTouchKind ? { id: conversion.winningTouchId, kind: conversion.winningTouchKind } : null;
    const answer: QualifyingEventAnswer = {
      event: { type: event.type, provider: key.provider, sourceId: key.sourceId },
      conversion: { id: conversionId, attributionId: conversion.id, winner: conversion.winner, reason: conversion.reason, winningTouch },
      referral: referral ? referralRecord(withOutcome(referral, outcome)) : null,
      decision,
      ...(event.type === 'payment.succeeded' ? { paymentMethod: paymentMethodRecord(instrument) } : {}),
      rewards,
      workflows: queued.map((w) => ({ type: w.workflowType, workflowId: w.workflowId })),
    };
    // The event's last writes (outcome, decision record, SALE request, outbox row, stored answer) go as one statement.
    await runWritesTogether(deps.sequelize, t, [
      outcomeWrite,
      decisionRecord,
      sale?.request ?? null,
      outboxWrite(works),
      idempotentAnswerWrite({ scope, key: conversionId, requestHash, status: 200, body: answer }),
    ]);
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

const nothing = (code: DecisionCode, referral: Referral | null, explanation: string[] = [], reasons: string[] = fallbackReasons(code)): Decision => ({
  code,
  programKey: referral?.programKey ?? null,
  programVersion: referral?.programVersion ?? null,
  rule: null,
  explanation,
  reasons,
  rewards: [],
  booked: false,
});

/**
 * Every subscription payment is recorded per (product, user), rewarded or not (an annual first
 * payment too), under the (product, user) lock recordConversion took: Kilo rules 99 and 100 are
 * decided from this history and the host's own statement, never from `sequence` alone.
 */
function recordSubscriptionHistory(deps: RewardingDeps, t: Transaction, event: Extract<QualifyingEvent, { type: 'payment.succeeded' }>) {
  return deps.attribution.recordSubscriptionPayment(
    {
      provider: event.provider,
      sourcePaymentId: event.sourcePaymentId,
      product: event.product,
      userId: event.userId,
      ...(event.subscription.id ? { subscriptionId: event.subscription.id } : {}),
      tier: event.subscription.tier,
      interval: event.subscription.interval,
      kind: event.subscription.kind,
      startedAt: event.subscription.startedAt,
      paidAt: event.paidAt,
      sequence: event.sequence,
      amountMinor: event.amount.minor,
      currency: event.amount.currency,
      hostStatesEarlier: event.subscription.hadEarlierSubscription === true,
    },
    { transaction: t },
  );
}

/**
 * The decision's code and reasons, stored beside the conversion and on the user's referral (also
 * when a referral touch did not win, e.g. it had expired), in the event's transaction. For a
 * conversion this transaction recorded, as a write that goes with the event's last writes; for
 * one recorded before, at once (its first outcome stands).
 */
async function recordOutcome(
  deps: RewardingDeps,
  t: Transaction,
  recorded: RecordConversionResult,
  key: ConversionKey,
  decision: DecisionRecord,
  rewards: readonly RewardRecord[],
): Promise<{ outcome: ConversionOutcome; write: SqlWrite | null }> {
  const referral = recorded.referral ?? recorded.userReferral;
  const rewarded = decision.code === 'rewarded' && rewards.some((r) => r.status !== 'cap_limited' && r.status !== 'disqualified');
  const input = { conversionId: recorded.conversion.id, referralId: referral?.id ?? null, decisionCode: decision.code, rewarded, reasons: decision.reasons };
  if (!recorded.replayed) return deps.attribution.newConversionOutcomeWrite(input, key);
  return { outcome: await deps.attribution.recordConversionOutcome(input, { transaction: t }), write: null };
}

/**
 * Kilo rules 69, 173: a payment the host marks as a test, admin-created or a manual adjustment is
 * held (rewards nobody, no SALE) unless an operator marked its conversion eligible before; read
 * under the conversion's lock, which marking takes too.
 */
async function originCheck(
  deps: RewardingDeps,
  t: Transaction,
  event: QualifyingEvent,
  key: ConversionKey,
): Promise<{ held: Exclude<PaymentOrigin, 'customer'> | null; explanation: string[] }> {
  const origin = event.type === 'payment.succeeded' ? (event.origin ?? 'customer') : 'customer';
  if (origin === 'customer') return { held: null, explanation: [] };
  const mark = await deps.attribution.eligibilityMark(key, { transaction: t });
  if (!mark) return { held: origin, explanation: [] };
  return { held: null, explanation: [`a ${origin} payment, marked eligible by ${mark.operator} at ${mark.markedAt.toISOString()}: ${mark.reason}`] };
}

/** The referral as it reads after this event's outcome (read before it was recorded). */
const withOutcome = (referral: Referral, outcome: ConversionOutcome): Referral => ({
  ...referral,
  outcomes: [...referral.outcomes.filter((o) => o.conversionId !== outcome.conversionId), outcome],
});

function describeEarlier(earlier: EarlierSubscription): string {
  return earlier.source === 'host'
    ? 'the host stated an earlier subscription of the product (subscription.hadEarlierSubscription)'
    : `an earlier ${earlier.interval} subscription of the product started ${earlier.startedAt.toISOString()}`;
}

async function decideReward(
  deps: RewardingDeps,
  t: Transaction,
  event: QualifyingEvent,
  recorded: RecordConversionResult,
  conversionId: string,
  product: RewardingProduct,
  eventFacts: Record<string, unknown>,
  earlierSubscription: EarlierSubscription | null,
  instrument: PaymentInstrumentOutcome | null,
): Promise<Decision> {
  const { conversion, referral } = recorded;
  if (recorded.retiredProgramKey !== null) {
    return {
      ...nothing('program_retired', null, [`program "${recorded.retiredProgramKey}" is retired: its referrals reward nothing new; attribution: ${conversion.reason}`]),
      programKey: recorded.retiredProgramKey,
    };
  }
  if (conversion.winner !== 'referral') return nothing('not_attributed_to_referral', null, [`attribution: ${conversion.reason}`], reasonsOfAttribution(recorded));
  if (!referral) return nothing('no_referral', null, ['a referral touch won, but the user has no referral for the product (no signup recorded)']);
  if (referral.status !== 'qualified' || referral.programKey === null || referral.programVersion === null || referral.referrerUserId === null) {
    const reasons = referral.reasons.length > 0 ? [...referral.reasons] : ['referral_not_qualified'];
    return nothing('referral_not_qualified', referral, [`referral ${referral.status}: ${referral.reasons.join(', ') || 'no program'}`], reasons);
  }
  // Kilo rules 99, 100: a returning subscriber is not an eligible referee, whatever the rules say.
  if (earlierSubscription) return nothing('earlier_subscription', referral, [describeEarlier(earlierSubscription)]);
  // Kilo rules 179, 180, 181: one referral conversion per reusable instrument; an unresolved method is not eligible.
  const guarded = instrumentDecision(instrument);
  if (guarded) return nothing(guarded.code, referral, [guarded.explanation]);
  // An eligible conversion is settled by a provider the product rewards (Kilo Pass at launch: Stripe only).
  const provider = event.type === 'payment.succeeded' ? event.provider : null;
  if (provider !== null && product.rewardedProviders && !product.rewardedProviders.includes(provider)) {
    return nothing('unsupported_provider', referral, [`payments settled by "${provider}" reward nothing in ${product.product} (rewarded: ${product.rewardedProviders.join(', ')})`]);
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
  const evaluated: Evaluated = { facts, explanation: evaluation.explanation ?? null, notes: [] };
  const base = {
    programKey: pinned.key,
    programVersion: pinned.version,
    rule: evaluation.rule ? { index: evaluation.rule.index, description: evaluation.rule.description } : null,
    explanation,
    reasons: [] as string[],
    evaluated,
  };
  if (evaluation.code !== 'rewarded') {
    const reasons = evaluation.code === 'no_rule_matched' ? reasonsOfEvaluation(evaluation) : [];
    return { ...base, code: evaluation.code, reasons: reasons.length > 0 ? reasons : fallbackReasons(evaluation.code), rewards: [], booked: false };
  }

  const document = pinned.document;
  if (document.limits.firstQualifyingEventOnly) {
    // Read under the (product, referee) lock recordConversion holds until commit: a racing first
    // event of the same referral waits for this one and then sees its rewards here.
    const others = await otherRewardedConversions(deps.sequelize, { programKey: pinned.key, referralId: referral.id, exceptConversionId: conversionId }, { transaction: t });
    if (others.length > 0) {
      const note = `an earlier event of this referral was already rewarded (${others[0]})`;
      return { ...base, code: 'not_first_qualifying_event', reasons: fallbackReasons('not_first_qualifying_event'), rewards: [], booked: false, explanation: [...explanation, note], evaluated: { ...evaluated, notes: [note] } };
    }
  }
  const outcomes = roleOutcomes(document, evaluation, occurredAt);
  if (outcomes.length === 0) return { ...base, code: 'reward_amount_zero', reasons: fallbackReasons('reward_amount_zero'), rewards: [], booked: false };
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
      sourceTier: event.type === 'payment.succeeded' ? event.subscription.tier : null,
      referrerCap: document.limits.referrerRewardCap ?? null,
      outcomes,
      actor: `rewarding:${event.type}`,
    },
    { transaction: t },
  );
  const rewards = granted.rewards.map(rewardRecord);
  return { ...base, code: 'rewarded', reasons: reasonsOfRewards(rewards), rewards, booked: !granted.replayed };
}

/**
 * The SALE report: the referral SALE (affiliate SALE suppressed) or the affiliate SALE with its
 * click id, as its outbox work and its stored request (written by the caller with the event's
 * other writes); null when nobody's SALE is reported.
 */
async function saleReport(
  deps: RewardingDeps,
  t: Transaction,
  event: Extract<QualifyingEvent, { type: 'payment.succeeded' }>,
  recorded: RecordConversionResult,
  conversionId: string,
  product: RewardingProduct,
): Promise<{ works: OutboxWork[]; request: SqlWrite } | null> {
  const { conversion, touch, referral } = recorded;
  let attribution: SaleAttribution;
  let clickId: string | null = null;
  if (conversion.winner === 'referral') {
    attribution = { winner: 'referral', hadAffiliateTouch: (await losingClickId(deps, t, event, recorded)) !== null };
  } else if (conversion.winner === 'affiliate' && touch?.clickId) {
    attribution = { winner: 'affiliate' };
    clickId = touch.clickId;
  } else {
    return null;
  }
  // The email and the click id stay in PostgreSQL: the report activity reads them there, so the
  // workflow input (a Temporal history nobody can erase) carries ids only.
  const request = saleRequestWrite({
    provider: event.provider,
    sourcePaymentId: event.sourcePaymentId,
    product: product.product,
    userId: event.userId,
    customerEmail: event.email ?? null,
    clickId,
    now: (deps.clock ?? (() => new Date()))(),
  });
  const options = startOptions.conversionReport(
    {
      conversionId,
      product: product.product,
      programKey: referral?.programKey ?? null,
      provider: event.provider,
      sourcePaymentId: event.sourcePaymentId,
      userId: event.userId,
      occurredAt: new Date(event.paidAt).toISOString(),
      amountMinor: event.amount.minor,
      currency: event.amount.currency,
      item: { category: event.product, name: event.subscription.tier, sku: event.subscription.tier, quantity: 1 },
      ...(event.promoCode ? { promoCode: event.promoCode } : {}),
      attribution,
    },
    deps.startOverrides,
  );
  return { works: [{ kind: 'start', workflowType: workflowTypes.conversionReport, options }], request };
}

/** The click id of the oldest valid affiliate touch the referral beat (its SALE is suppressed). */
async function losingClickId(deps: RewardingDeps, t: Transaction, event: QualifyingEvent, recorded: RecordConversionResult): Promise<string | null> {
  const affiliate = recorded.conversion.verdicts.filter((v) => v.kind === 'affiliate' && v.verdict === 'valid');
  if (affiliate.length === 0) return null;
  const touches = await deps.attribution.listTouches({ userId: event.userId, product: event.product }, { transaction: t });
  const ids = new Set(affiliate.map((v) => v.touchId));
  return touches.find((t) => ids.has(t.id) && t.clickId !== null)?.clickId ?? null;
}
