import { type ProgramStore } from '@referrals/programs';
import { compileProgram, type CompiledProgram, formatEvaluation, type RewardEvaluation, type RewardExplanation } from '@referrals/rule-dsl';
import { fastTimestamptzTypes, forEachRow, queryRows } from '@referrals/sql';
import { type Sequelize, Transaction } from 'sequelize';
import { personalIdRestorer, restoreExplanation, type StoredReward } from './decision-records';
import { RewardingError } from './rewarding.errors';

/*
 * Program-change preview (issue 18): what would a draft (or a stored version) have decided for
 * every recorded qualifying event of its program in a time range? Re-decides each event from its
 * decision record (the exact facts the rules saw), in time order, with the draft's referrer cap and
 * first-qualifying-event limit applied the way the ledger applies them, and compares with what was
 * decided then. Read-only: one READ ONLY, REPEATABLE READ transaction (one snapshot), rows streamed
 * in keyset batches; nothing is written anywhere.
 */

export interface PreviewDeps {
  readonly sequelize: Sequelize;
  readonly programs: Pick<ProgramStore, 'catalogs' | 'check' | 'get' | 'getVersion' | 'compile'>;
}

export interface PreviewRequest {
  readonly programKey: string;
  /** A draft document of the program, or: */
  readonly document?: unknown;
  /** a stored version of it. */
  readonly version?: number;
  /** [from, to): event times. */
  readonly from: Date;
  readonly to: Date;
  /** How many changed and cap-limited events to show (default 20). */
  readonly sampleSize?: number;
  /** Rows per read (default 5000). */
  readonly batchSize?: number;
  /**
   * Called once the range is counted, and after each batch: the events re-decided so far of the
   * range's total (progress of long ranges). The count is only taken when this is given.
   */
  readonly onProgress?: (progress: PreviewProgress) => void;
}

export interface PreviewProgress {
  /** Events re-decided so far. */
  readonly events: number;
  /** Recorded events of the program in the range (same snapshot). */
  readonly total: number;
}

/** One side (now, or the draft) of an event. */
export interface PreviewSide {
  code: string;
  rule: number | null;
  rewards: StoredReward[];
  explanation: RewardExplanation | null;
  lines: string[];
}

export interface PreviewChange {
  conversionId: string;
  occurredAt: string;
  now: PreviewSide;
  draft: PreviewSide;
}

export interface PreviewCounts {
  now: number;
  draft: number;
}

export interface ProgramPreview {
  program: { key: string; product: string; draftVersion: number | null };
  range: { from: string; to: string };
  /** Recorded qualifying events of the program in the range. */
  events: number;
  /** Of those, events decided by the rules (with facts): the ones a draft can change. */
  reDecided: number;
  rewarded: PreviewCounts;
  /** Granted money (pending/earned at decision time), both roles, in minor units per currency. */
  amountMinorByCurrency: Record<string, PreviewCounts>;
  /** Events per rule that decided them (rewarded, zero amount, facts invalid), by rule index. */
  byRule: { now: { index: number; description: string; events: number }[]; draft: { index: number; description: string; events: number }[] };
  /** Events whose referrer reward is (or would be) cap_limited. */
  capLimited: PreviewCounts;
  /** The first cap-limited events of the draft, in time order. */
  capLimitedEvents: { conversionId: string; occurredAt: string; referralId: string | null }[];
  /** Events whose code, rule or rewards change. */
  changed: number;
  /** The first changed events, in time order, with both explanations. */
  changes: PreviewChange[];
}

export interface RecordRow {
  conversion_id: string;
  event_type: string;
  occurred_at: Date;
  referral_id: string | null;
  referrer_user_id: string | null;
  referee_user_id: string | null;
  decision_code: string;
  rule_index: number | null;
  /** Of the recorded facts, the paths asked for; null for events decided before the rules (no facts recorded). */
  facts: Record<string, unknown> | null;
  rewards: StoredReward[];
}

const GRANTED = new Set(['pending', 'earned']);
const MONEY = new Set(['fixed', 'percent']);
const DEFAULT_SAMPLE = 20;
const DEFAULT_BATCH = 5000;

/**
 * The columns preview reads, in time order, as arrays (`rowMode: 'array'`, in this order): the
 * record's decision and, of its facts, only the paths the draft can read (`$5`... as text arrays):
 * a rule reads a few facts of a record's dozen, and reading and parsing the rest was most of a
 * preview event's cost. Also what the bench's bare read reads.
 *
 * Keyset: the first batch starts at `from`; each next one after the last record seen, named by its
 * conversion id (`$2`) so that PostgreSQL compares its own exact occurred_at (microseconds), not
 * the millisecond a Date holds: a record sharing the millisecond is neither skipped nor read twice.
 */
function previewBatchSql(factPathCount: number, after: boolean): string {
  const facts = Array.from({ length: factPathCount }, (_, i) => `, facts #> $${5 + i}::text[]`).join('');
  const start = after
    ? '(occurred_at, conversion_id) > (SELECT occurred_at, conversion_id FROM rewarding_decision_records WHERE conversion_id = $2)'
    : 'occurred_at >= $2';
  return `SELECT conversion_id, event_type, occurred_at, referral_id::text, referrer_user_id, referee_user_id, decision_code, rule_index,
       facts IS NOT NULL, rewards${facts}
  FROM rewarding_decision_records
 WHERE program_key = $1 AND ${start} AND occurred_at < $3
 ORDER BY occurred_at, conversion_id
 LIMIT $4`;
}

/** A row read with previewBatchSql as the record it is, its facts built from the projected paths that are present. */
function recordOf(row: unknown[], factPaths: readonly (readonly string[])[]): RecordRow {
  let facts: Record<string, unknown> | null = null;
  if (row[8] === true) {
    facts = {};
    for (let i = 0; i < factPaths.length; i++) {
      const value = row[10 + i];
      if (value === null || value === undefined) continue;
      const path = factPaths[i] as readonly string[];
      let node = facts;
      for (let s = 0; s < path.length - 1; s++) node = (node[path[s] as string] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1] as string] = value;
    }
  }
  return {
    conversion_id: row[0] as string,
    event_type: row[1] as string,
    occurred_at: row[2] as Date,
    referral_id: row[3] as string | null,
    referrer_user_id: row[4] as string | null,
    referee_user_id: row[5] as string | null,
    decision_code: row[6] as string,
    rule_index: row[7] as number | null,
    facts,
    rewards: row[9] as StoredReward[],
  };
}

/**
 * Hands each decision record of a program in [from, to) to `onRecord`, in time order, as it
 * arrives (forEachRow: no batch is held, and PostgreSQL sends while Node decides), in keyset
 * batches of `batchSize` (one statement each, so each stays an index scan); `onBatch` hears the
 * records handed out so far after each. Resolves with their number; if `onRecord` throws, it rejects
 * with that error once the statement is read (as forEachRow does).
 */
export async function forEachDecisionRecord(
  t: Transaction,
  range: { programKey: string; from: Date; to: Date; factPaths: readonly string[] },
  onRecord: (record: RecordRow) => void,
  options: { batchSize?: number; onBatch?: (records: number) => void } = {},
): Promise<number> {
  const { programKey, from, to } = range;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const factPaths = range.factPaths.map((path) => path.split('.'));
  const firstSql = previewBatchSql(factPaths.length, false);
  const nextSql = previewBatchSql(factPaths.length, true);
  let records = 0;
  let after: string | null = null;
  for (;;) {
    let last: string | null = null;
    const read = await forEachRow(
      t,
      after === null ? firstSql : nextSql,
      [programKey, after ?? from, to, batchSize, ...factPaths],
      (row) => {
        const record = recordOf(row, factPaths);
        last = record.conversion_id;
        onRecord(record);
      },
      { types: fastTimestamptzTypes },
    );
    records += read;
    if (read > 0) options.onBatch?.(records);
    if (read < batchSize || last === null) return records;
    after = last;
  }
}

/** Runs `work` in a READ ONLY, REPEATABLE READ transaction: one snapshot, and PostgreSQL refuses any write. */
export async function inReadOnlySnapshot<T>(sequelize: Sequelize, work: (t: Transaction) => Promise<T>): Promise<T> {
  return sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, async (t) => {
    await sequelize.query('SET TRANSACTION READ ONLY', { transaction: t });
    return work(t);
  });
}

/** The program version to preview: a draft document of the program (validated), or a stored version. */
async function draftProgram(deps: PreviewDeps, request: PreviewRequest): Promise<{ compiled: CompiledProgram; version: number | null }> {
  const current = await deps.programs.get(request.programKey); // program_not_found when there is none
  if (request.version !== undefined) {
    const stored = await deps.programs.getVersion(request.programKey, request.version);
    return { compiled: deps.programs.compile(stored).compiled, version: stored.version };
  }
  const check = deps.programs.check(request.document);
  if (!check.ok) {
    // The synchronous check never reports priority_conflict (that needs the stored programs); its type shares the save check's codes.
    const code = check.code === 'priority_conflict' ? 'program_invalid' : check.code;
    throw new RewardingError(code, `the draft is invalid: ${check.problems.length} problem(s)`, { issues: check.problems.map((p) => ({ ...p })) });
  }
  if (check.program.key !== request.programKey || check.program.product !== current.product) {
    const path = check.program.key !== request.programKey ? 'key' : 'product';
    throw new RewardingError('program_key_mismatch', `the draft must be a version of program "${request.programKey}" (${current.product})`, {
      issues: [{ code: 'program_key_mismatch', path, message: `is "${String(check.program[path])}"; expected "${path === 'key' ? request.programKey : current.product}"` }],
    });
  }
  // Compiled here, not through the store: its cache is keyed by stored (key, version).
  const catalog = deps.programs.catalogs.get(check.program.product);
  const compiled = catalog ? compileProgram(check.program, catalog) : undefined;
  if (!compiled?.ok) throw new RewardingError('program_invalid', 'the draft does not compile against its product\'s catalog');
  return { compiled: compiled.program, version: null };
}

/** Rewards of a draft evaluation, as the ledger would record them (cap applied by the caller). */
function draftRewards(evaluation: RewardEvaluation): StoredReward[] {
  return evaluation.grants.map((grant) => {
    const status = grant.initialStatus;
    const reward = grant.reward;
    if (reward.type === 'money') return { role: grant.beneficiary, status, kind: 'money', amountMinor: reward.amount.amountMinor, unit: reward.amount.currency };
    if (reward.type === 'free_period') return { role: grant.beneficiary, status, kind: 'free_period', amountMinor: reward.count, unit: reward.unit };
    return { role: grant.beneficiary, status, kind: 'credits', amountMinor: reward.credits, unit: 'credit' };
  });
}

const isMoney = (r: StoredReward): boolean => (r.kind === 'money' || MONEY.has(r.kind ?? '')) && r.unit !== null;
/**
 * The same rewards: role, status, amount and unit, in order. The kind is not compared: the ledger
 * stores money as fixed or percent where the draft says money, and the unit (a currency, a period
 * unit, credit) already tells the kinds apart.
 */
function sameRewards(stored: readonly StoredReward[], draft: readonly StoredReward[]): boolean {
  if (stored.length !== draft.length) return false;
  for (let i = 0; i < stored.length; i++) {
    const a = stored[i] as StoredReward;
    const b = draft[i] as StoredReward;
    if (a.role !== b.role || a.status !== b.status || a.amountMinor !== b.amountMinor || a.unit !== b.unit) return false;
  }
  return true;
}

function addAmounts(totals: Record<string, PreviewCounts>, rewards: readonly StoredReward[], side: 'now' | 'draft'): void {
  for (const r of rewards) {
    if (!GRANTED.has(r.status) || !isMoney(r) || r.amountMinor === null) continue;
    const unit = r.unit as string;
    const entry = (totals[unit] ??= { now: 0, draft: 0 });
    entry[side] += r.amountMinor;
  }
}

const referrerCapLimited = (rewards: readonly StoredReward[]): boolean => rewards.some((r) => r.role === 'referrer' && r.status === 'cap_limited');

/** Recorded events of the program in [from, to), for progress. */
async function countRecords(sequelize: Sequelize, t: Transaction, programKey: string, from: Date, to: Date): Promise<number> {
  const [row] = await queryRows<{ total: string }>(
    sequelize,
    t,
    'SELECT count(*) AS total FROM rewarding_decision_records WHERE program_key = $1 AND occurred_at >= $2 AND occurred_at < $3',
    [programKey, from, to],
    { direct: true },
  );
  return Number(row?.total ?? 0);
}

/**
 * The referrer slots and rewarded referrals of the program before `from`, as decided then: the
 * ledger's cap counter and first-event rule carry them into the range.
 */
async function historyBefore(sequelize: Sequelize, t: Transaction, programKey: string, from: Date): Promise<{ slots: Map<string, number>; rewardedReferrals: Set<string> }> {
  const rows = await queryRows<{ referral_id: string | null; referrer_user_id: string | null; referrer_granted: boolean }>(
    sequelize,
    t,
    `SELECT referral_id, referrer_user_id,
            EXISTS (SELECT 1 FROM jsonb_array_elements(rewards) r WHERE r->>'role' = 'referrer' AND r->>'status' IN ('pending', 'earned')) AS referrer_granted
       FROM rewarding_decision_records
      WHERE program_key = $1 AND occurred_at < $2 AND decision_code = 'rewarded'`,
    [programKey, from],
    { direct: true },
  );
  const slots = new Map<string, number>();
  const rewardedReferrals = new Set<string>();
  for (const row of rows) {
    if (row.referral_id !== null) rewardedReferrals.add(String(row.referral_id));
    if (row.referrer_granted && row.referrer_user_id !== null) slots.set(row.referrer_user_id, (slots.get(row.referrer_user_id) ?? 0) + 1);
  }
  return { slots, rewardedReferrals };
}

/**
 * What the draft (or stored version) would have decided for every recorded qualifying event of its
 * program in [from, to), against what was decided. Never writes.
 */
export async function previewProgramChange(deps: PreviewDeps, request: PreviewRequest): Promise<ProgramPreview> {
  const { compiled: draft, version } = await draftProgram(deps, request);
  const sampleSize = request.sampleSize ?? DEFAULT_SAMPLE;
  // The ids the draft reads, for deciding; changeOf puts all of them back for the explanations.
  const restoreRead = personalIdRestorer(draft.catalog, draft.rewardFactPaths);
  const restore = personalIdRestorer(draft.catalog);
  const cap = draft.document.limits.referrerRewardCap ?? null;
  const firstOnly = draft.document.limits.firstQualifyingEventOnly === true;
  const nowDescriptions = new Map<number, string>();

  const preview: ProgramPreview = {
    program: { key: draft.key, product: draft.document.product, draftVersion: version },
    range: { from: request.from.toISOString(), to: request.to.toISOString() },
    events: 0,
    reDecided: 0,
    rewarded: { now: 0, draft: 0 },
    amountMinorByCurrency: {},
    byRule: { now: [], draft: [] },
    capLimited: { now: 0, draft: 0 },
    capLimitedEvents: [],
    changed: 0,
    changes: [],
  };
  const nowByRule = new Map<number, number>();
  const draftByRule = new Map<number, number>();

  await inReadOnlySnapshot(deps.sequelize, async (t) => {
    const total = request.onProgress ? await countRecords(deps.sequelize, t, request.programKey, request.from, request.to) : 0;
    request.onProgress?.({ events: 0, total });
    const history = cap !== null || firstOnly ? await historyBefore(deps.sequelize, t, request.programKey, request.from) : { slots: new Map<string, number>(), rewardedReferrals: new Set<string>() };
    const range = { programKey: request.programKey, from: request.from, to: request.to, factPaths: draft.rewardFactPaths };
    // Changed events to show: their explanations need the whole record (a query), read once the
    // stream is over (the rows arrive in a synchronous callback).
    const shown: { row: RecordRow; decided: { code: string; rule: number | null; rewards: StoredReward[] } }[] = [];
    const decide = (row: RecordRow): void => {
      preview.events += 1;
      const nowRewards = row.rewards;
      if (row.decision_code === 'rewarded') preview.rewarded.now += 1;
      if (row.rule_index !== null) nowByRule.set(row.rule_index, (nowByRule.get(row.rule_index) ?? 0) + 1);
      if (referrerCapLimited(nowRewards)) preview.capLimited.now += 1;
      addAmounts(preview.amountMinorByCurrency, nowRewards, 'now');
      if (row.facts === null) {
        // Decided before the rules (attribution, referral, origin...): no draft changes that.
        if (row.decision_code === 'rewarded') preview.rewarded.draft += 1;
        addAmounts(preview.amountMinorByCurrency, nowRewards, 'draft');
        return;
      }
      preview.reDecided += 1;
      const facts = row.facts;
      restoreRead(facts, row.referrer_user_id, row.referee_user_id);
      const at = row.occurred_at;
      const evaluation = draft.evaluateReward(row.event_type, facts, { at, explain: false });
      let code: string = evaluation.code;
      let rewards: StoredReward[] = [];
      const referralId = row.referral_id;
      if (evaluation.code === 'rewarded') {
        if (firstOnly && referralId !== null && history.rewardedReferrals.has(referralId)) {
          code = 'not_first_qualifying_event';
        } else {
          rewards = draftRewards(evaluation);
          if (referralId !== null) history.rewardedReferrals.add(referralId);
          const referrer = rewards.find((r) => r.role === 'referrer');
          if (referrer && cap !== null && row.referrer_user_id !== null) {
            const used = history.slots.get(row.referrer_user_id) ?? 0;
            if (used >= cap) referrer.status = 'cap_limited';
            else history.slots.set(row.referrer_user_id, used + 1);
          }
        }
      }
      if (code === 'rewarded') preview.rewarded.draft += 1;
      if (evaluation.rule) draftByRule.set(evaluation.rule.index, (draftByRule.get(evaluation.rule.index) ?? 0) + 1);
      if (referrerCapLimited(rewards)) {
        preview.capLimited.draft += 1;
        if (preview.capLimitedEvents.length < sampleSize) preview.capLimitedEvents.push({ conversionId: row.conversion_id, occurredAt: at.toISOString(), referralId });
      }
      addAmounts(preview.amountMinorByCurrency, rewards, 'draft');
      const draftRule = evaluation.rule?.index ?? null;
      const changed = code !== row.decision_code || draftRule !== row.rule_index || !sameRewards(nowRewards, rewards);
      if (!changed) return;
      preview.changed += 1;
      if (shown.length < sampleSize) shown.push({ row, decided: { code, rule: draftRule, rewards } });
    };
    await forEachDecisionRecord(t, range, decide, { batchSize: request.batchSize, onBatch: (events) => request.onProgress?.({ events, total }) });
    for (const { row, decided } of shown) preview.changes.push(await changeOf(deps, t, draft, row, restore, decided, nowDescriptions));
    if (nowByRule.size > 0) await ruleDescriptions(deps, t, request.programKey, nowByRule, nowDescriptions);
  });

  preview.byRule = {
    now: [...nowByRule].sort(([a], [b]) => a - b).map(([index, events]) => ({ index, description: nowDescriptions.get(index) ?? '', events })),
    draft: [...draftByRule].sort(([a], [b]) => a - b).map(([index, events]) => ({ index, description: draft.document.rewardRules[index]?.description ?? '', events })),
  };
  return preview;
}

/** Both sides of a changed event, with both explanations (the stored one, and the draft's, computed again with explanation). */
async function changeOf(
  deps: PreviewDeps,
  t: Transaction,
  draft: CompiledProgram,
  row: RecordRow,
  restore: ReturnType<typeof personalIdRestorer>,
  decided: { code: string; rule: number | null; rewards: StoredReward[] },
  nowDescriptions: Map<number, string>,
): Promise<PreviewChange> {
  // The whole record (the batch read only the facts the draft reads): both explanations show every fact.
  const [stored] = await queryRows<{ explanation: RewardExplanation | null; notes: string[]; program_key: string; facts: Record<string, unknown> }>(
    deps.sequelize,
    t,
    'SELECT explanation, notes, program_key, facts FROM rewarding_decision_records WHERE conversion_id = $1',
    [row.conversion_id],
    { direct: true },
  );
  const facts = stored?.facts ?? {};
  restore(facts, row.referrer_user_id, row.referee_user_id);
  const nowExplanation = stored?.explanation ? restoreExplanation(stored.explanation, facts) : null;
  for (const rule of nowExplanation?.rules ?? []) if (!nowDescriptions.has(rule.index)) nowDescriptions.set(rule.index, rule.description);
  const nowLines = [
    ...(stored?.notes ?? []),
    ...(nowExplanation ? formatEvaluation({ code: 'no_rule_matched', rewarded: false, programKey: draft.key, rule: null, grants: [], explanation: nowExplanation }).slice(1) : []),
  ];
  const explained = draft.evaluateReward(row.event_type, facts, { at: row.occurred_at });
  const draftLines = formatEvaluation(explained).slice(1);
  if (decided.code === 'not_first_qualifying_event') draftLines.push('an earlier event of this referral was rewarded (under the draft)');
  if (referrerCapLimited(decided.rewards)) draftLines.push(`the referrer's reward is cap_limited: the draft's referrer cap (${String(draft.document.limits.referrerRewardCap)}) was reached`);
  return {
    conversionId: row.conversion_id,
    occurredAt: row.occurred_at.toISOString(),
    now: { code: row.decision_code, rule: row.rule_index, rewards: row.rewards, explanation: nowExplanation, lines: [`decision: ${row.decision_code}`, ...nowLines] },
    draft: { code: decided.code, rule: decided.rule, rewards: decided.rewards, explanation: explained.explanation ?? null, lines: [`decision: ${decided.code}`, ...draftLines] },
  };
}

/** Descriptions of the rules the events were decided by (from one stored explanation per rule index not seen yet). */
async function ruleDescriptions(deps: PreviewDeps, t: Transaction, programKey: string, byRule: Map<number, number>, descriptions: Map<number, string>): Promise<void> {
  for (const index of byRule.keys()) {
    if (descriptions.has(index)) continue;
    const [row] = await queryRows<{ description: string | null }>(
      deps.sequelize,
      t,
      `SELECT r->>'description' AS description FROM rewarding_decision_records, jsonb_array_elements(explanation->'rules') r
        WHERE program_key = $1 AND rule_index = $2 AND (r->>'index')::int = $2 LIMIT 1`,
      [programKey, index],
      { direct: true },
    );
    descriptions.set(index, row?.description ?? '');
  }
}
