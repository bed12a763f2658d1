import {
  type ConditionTrace,
  type FactCatalog,
  formatEvaluation,
  lookupFact,
  type RewardCode,
  type RewardExplanation,
} from '@referrals/rule-dsl';
import { queryRows, type SqlWrite } from '@referrals/sql';
import { type Sequelize } from 'sequelize';
import { type RewardRecord } from './records';

/*
 * Decision records (issue 18): the facts the rules saw, the program version, the outcome, the rule
 * and the per-condition explanation of each qualifying event, stored in the event's transaction
 * (table `rewarding_decision_records`, one INSERT). Support reads "why" from here instead of
 * re-running; preview re-decides from here.
 *
 * Personal data: the engine's user-id facts are kept out of `facts` and out of the explanation's
 * actual values; they live in the `referrer_user_id` / `referee_user_id` columns (the columns an
 * erasure anonymizes) and are put back on read.
 */

/** The engine-set id facts of each catalog vocabulary, and whose id each one is. */
export const PERSONAL_ID_FACTS: Readonly<Record<string, 'referrer' | 'referee'>> = Object.freeze({
  'referrer.user_id': 'referrer',
  'advocate.user_id': 'referrer',
  'referee.user_id': 'referee',
  'invitee.user_id': 'referee',
});

/** What a decision granted, compact: the "now" side of a preview. */
export interface StoredReward {
  role: 'referrer' | 'referee';
  status: string;
  kind: string | null;
  amountMinor: number | null;
  unit: string | null;
}

export interface DecisionRecordInput {
  conversionId: string;
  eventType: string;
  occurredAt: Date;
  programKey: string | null;
  programVersion: number | null;
  referralId: string | null;
  referrerUserId: string | null;
  refereeUserId: string | null;
  code: string;
  ruleIndex: number | null;
  /** The facts the rules saw (null when the decision came before the rules). */
  facts: Record<string, unknown> | null;
  explanation: RewardExplanation | null;
  /** Decision lines that are not the rules' explanation (attribution, origin, first-event rule). */
  notes: readonly string[];
  rewards: readonly RewardRecord[];
  recordedAt: Date;
}

/** The decision record as `GET /v1/admin/conversions/{id}` shows it. */
export interface DecisionRecordView {
  eventType: string;
  occurredAt: string;
  programKey: string | null;
  programVersion: number | null;
  code: string;
  rule: { index: number; description: string } | null;
  /** The exact facts the rules saw (null: the decision came before the rules). */
  facts: Record<string, unknown> | null;
  /** Structured: the window, each rule tried and each condition with expected and actual value. */
  explanation: RewardExplanation | null;
  /** The explanation, one readable line per fact of the matter. */
  lines: string[];
  rewards: StoredReward[];
  recordedAt: string;
}

export const storedRewards = (rewards: readonly RewardRecord[]): StoredReward[] =>
  rewards.map((r) => ({ role: r.role, status: r.status, kind: r.kind, amountMinor: r.amountMinor, unit: r.unit }));

/** A deep copy of the facts without the engine's user-id facts. */
export function factsWithoutPersonalIds(facts: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(facts);
  for (const path of Object.keys(PERSONAL_ID_FACTS)) {
    const [head, leaf] = path.split('.') as [string, string];
    const node = copy[head];
    if (typeof node === 'object' && node !== null && leaf in node) delete (node as Record<string, unknown>)[leaf];
  }
  return copy;
}

/** The explanation with the actual values of the engine's user-id facts left out (null). */
export function explanationWithoutPersonalIds(explanation: RewardExplanation): RewardExplanation {
  return mapComparisons(explanation, (subject, actual) => (subject in PERSONAL_ID_FACTS ? null : actual));
}

function mapComparisons(explanation: RewardExplanation, actualOf: (subject: string, actual: unknown) => unknown): RewardExplanation {
  const mapList = (traces: readonly ConditionTrace[]): ConditionTrace[] =>
    traces.map((trace) =>
      trace.kind === 'comparison'
        ? { ...trace, actual: actualOf(trace.subject, trace.actual) }
        : { ...trace, branches: trace.branches.map((b) => ({ ...b, conditions: mapList(b.conditions) })) },
    );
  return { ...explanation, rules: explanation.rules.map((rule) => ({ ...rule, conditions: mapList(rule.conditions) })) };
}

/**
 * The id facts a catalog declares, as setters: `restore(facts, referrerUserId, refereeUserId)`
 * puts them back into a stored fact set the way `referralFacts` set them (ints for int catalogs).
 * Built once per catalog: preview calls it for every event, for only the fact paths its draft
 * reads (`onlyPaths`; none of them, often).
 */
export function personalIdRestorer(
  catalog: FactCatalog,
  onlyPaths?: readonly string[],
): (facts: Record<string, unknown>, referrerUserId: string | null, refereeUserId: string | null) => void {
  const setters = Object.entries(PERSONAL_ID_FACTS).flatMap(([path, role]) => {
    const fact = lookupFact(catalog, path);
    if (!fact || (onlyPaths && !onlyPaths.includes(path))) return [];
    const [head, leaf] = path.split('.') as [string, string];
    const asInt = fact.datatype === 'int';
    return [{ head, leaf, role, asInt }];
  });
  if (setters.length === 0) return () => undefined;
  return (facts, referrerUserId, refereeUserId) => {
    for (const { head, leaf, role, asInt } of setters) {
      const id = role === 'referrer' ? referrerUserId : refereeUserId;
      if (id === null) continue;
      if (asInt && !/^-?\d{1,15}$/.test(id)) continue;
      let node = facts[head] as Record<string, unknown> | undefined;
      if (typeof node !== 'object' || node === null) facts[head] = node = {};
      node[leaf] = asInt ? Number(id) : id;
    }
  };
}

const INSERT = `INSERT INTO rewarding_decision_records
  (conversion_id, event_type, occurred_at, program_key, program_version, referral_id, referrer_user_id, referee_user_id,
   decision_code, rule_index, facts, explanation, notes, rewards, recorded_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14::jsonb, $15)`;

/** The decision record's INSERT, run with the event's other writes (runWritesTogether) in the event's transaction. */
export function decisionRecordWrite(record: DecisionRecordInput): SqlWrite {
  return {
    text: INSERT,
    values: [
      record.conversionId,
      record.eventType,
      record.occurredAt,
      record.programKey,
      record.programVersion,
      record.referralId,
      record.referrerUserId,
      record.refereeUserId,
      record.code,
      record.ruleIndex,
      record.facts === null ? null : JSON.stringify(factsWithoutPersonalIds(record.facts)),
      record.explanation === null ? null : JSON.stringify(explanationWithoutPersonalIds(record.explanation)),
      [...record.notes],
      JSON.stringify(storedRewards(record.rewards)),
      record.recordedAt,
    ],
  };
}

interface DecisionRecordRow {
  event_type: string;
  occurred_at: Date;
  program_key: string | null;
  program_version: number | null;
  referrer_user_id: string | null;
  referee_user_id: string | null;
  decision_code: string;
  rule_index: number | null;
  facts: Record<string, unknown> | null;
  explanation: RewardExplanation | null;
  notes: string[];
  rewards: StoredReward[];
  recorded_at: Date;
}

/** The decision record of a conversion, ids put back; null when none was recorded (before issue 18). */
export async function readDecisionRecord(
  sequelize: Sequelize,
  conversionId: string,
  catalogOf: (programKeyProduct: string) => FactCatalog | undefined,
  product: string,
): Promise<DecisionRecordView | null> {
  const [row] = await queryRows<DecisionRecordRow>(
    sequelize,
    undefined,
    `SELECT event_type, occurred_at, program_key, program_version, referrer_user_id, referee_user_id, decision_code, rule_index,
            facts, explanation, notes, rewards, recorded_at
       FROM rewarding_decision_records WHERE conversion_id = $1`,
    [conversionId],
  );
  if (!row) return null;
  const catalog = catalogOf(product);
  const facts = row.facts;
  if (facts && catalog) personalIdRestorer(catalog)(facts, row.referrer_user_id, row.referee_user_id);
  const explanation = row.explanation && facts ? restoreExplanation(row.explanation, facts) : row.explanation;
  const ruleTrace = row.rule_index === null ? undefined : explanation?.rules.find((r) => r.index === row.rule_index);
  const rule = row.rule_index === null ? null : { index: row.rule_index, description: ruleTrace?.description ?? '' };
  const explained = explanation
    ? formatEvaluation({ code: row.decision_code as RewardCode, rewarded: row.decision_code === 'rewarded', programKey: row.program_key ?? '', rule, grants: [], explanation })
    : [];
  return {
    eventType: row.event_type,
    occurredAt: new Date(row.occurred_at).toISOString(),
    programKey: row.program_key,
    programVersion: row.program_version,
    code: row.decision_code,
    rule,
    facts,
    explanation,
    lines: [...row.notes, ...explained],
    rewards: row.rewards,
    recordedAt: new Date(row.recorded_at).toISOString(),
  };
}

/** The explanation with the id facts' actual values read back from the (restored) facts. */
export function restoreExplanation(explanation: RewardExplanation, facts: Record<string, unknown>): RewardExplanation {
  return mapComparisons(explanation, (subject, actual) => {
    if (!(subject in PERSONAL_ID_FACTS)) return actual;
    const [head, leaf] = subject.split('.') as [string, string];
    const node = facts[head];
    return typeof node === 'object' && node !== null ? ((node as Record<string, unknown>)[leaf] ?? null) : null;
  });
}
