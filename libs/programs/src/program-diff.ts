import {
  type Condition,
  formatMoney,
  isPredicateRef,
  type Literal,
  type ProgramDocument,
  type RewardRule,
  type RewardSpec,
  type Term,
} from '@referrals/rule-dsl';

/*
 * What changed between two versions of a program, in words an admin reads in the History view.
 * Pure: the store fetches two versions and calls `diffProgramDocuments`.
 *
 * Identity follows meaning, not position: terms are matched by name, reward rules by description
 * (falling back to position), eligibility conditions as a set (they are ANDed, so their order means
 * nothing). Reward rules are ordered (the first match wins), so a rule that moved is a change.
 */

export const DIFF_SECTIONS = ['identity', 'schedule', 'terms', 'eligibility', 'trigger', 'rewardRules', 'limits', 'fulfilment'] as const;
export type DiffSection = (typeof DIFF_SECTIONS)[number];

export interface ProgramChange {
  readonly section: DiffSection;
  readonly change: 'added' | 'removed' | 'changed' | 'moved';
  /** Where: in the newer document, or in the older one for something removed (`terms[2]`, `rewardRules[0].reward`). */
  readonly path: string;
  /** One readable sentence: `term "challenge_user_blocklist" value: added 5000`. */
  readonly summary: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ProgramDiff {
  readonly programKey: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly changes: readonly ProgramChange[];
}

/** Every change from `before` to `after`, in document order (identity, schedule, terms, ...). */
export function diffProgramDocuments(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  return [
    ...diffIdentity(before, after),
    ...diffSchedule(before, after),
    ...diffTerms(before.terms, after.terms),
    ...diffConditionSet('eligibility', 'eligibility', 'eligibility', before.eligibility, after.eligibility),
    ...diffTrigger(before, after),
    ...diffRules(before.rewardRules, after.rewardRules),
    ...diffLimits(before, after),
    ...diffFulfilment(before, after),
  ];
}

/** The History view's text: a heading, then one line per change. */
export function formatProgramDiff(diff: ProgramDiff): string[] {
  const heading = `${diff.programKey} v${diff.fromVersion} -> v${diff.toVersion}`;
  if (diff.changes.length === 0) return [`${heading}: no changes`];
  return [`${heading}: ${diff.changes.length} change${diff.changes.length === 1 ? '' : 's'}`, ...diff.changes.map((c) => `- ${c.summary}`)];
}

// ---------------------------------------------------------------------------------------------

function diffIdentity(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  const fields = ['key', 'name', 'description', 'product', 'status', 'priority'] as const;
  return fields.flatMap((field) => fieldChange('identity', field, field, before[field], after[field]));
}

function diffSchedule(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  const fields = ['startAt', 'frozenAt', 'endAt'] as const;
  return fields.flatMap((field) =>
    fieldChange('schedule', `schedule.${field}`, `schedule.${field}`, before.schedule[field], after.schedule[field]),
  );
}

function diffTrigger(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  return fieldChange('trigger', 'trigger', 'trigger', before.trigger, after.trigger);
}

function diffLimits(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  const fields = unionKeys(before.limits, after.limits) as (keyof ProgramDocument['limits'])[];
  return fields.flatMap((field) => fieldChange('limits', `limits.${field}`, `limits.${field}`, before.limits[field], after.limits[field]));
}

function diffFulfilment(before: ProgramDocument, after: ProgramDocument): ProgramChange[] {
  const b = renderFulfilment(before.fulfilment);
  const a = renderFulfilment(after.fulfilment);
  if (b === a) return [];
  return [{ section: 'fulfilment', change: 'changed', path: 'fulfilment', summary: `fulfilment: ${b} -> ${a}`, before: before.fulfilment, after: after.fulfilment }];
}

function diffTerms(before: readonly Term[], after: readonly Term[]): ProgramChange[] {
  const changes: ProgramChange[] = [];
  const beforeByName = new Map(before.map((term, index) => [term.name, { term, index }]));
  const afterByName = new Map(after.map((term, index) => [term.name, { term, index }]));
  for (const [name, { term, index }] of beforeByName) {
    if (afterByName.has(name)) continue;
    changes.push({ section: 'terms', change: 'removed', path: `terms[${index}]`, summary: `term "${name}" removed (was ${renderTerm(term)})`, before: term });
  }
  for (const [name, { term, index }] of afterByName) {
    const old = beforeByName.get(name)?.term;
    const path = `terms[${index}]`;
    if (!old) {
      changes.push({ section: 'terms', change: 'added', path, summary: `term "${name}" added: ${renderTerm(term)}`, after: term });
      continue;
    }
    const label = `term "${name}"`;
    if (old.kind !== term.kind) {
      changes.push({ section: 'terms', change: 'changed', path, summary: `${label}: ${renderTerm(old)} -> ${renderTerm(term)}`, before: old, after: term });
      continue;
    }
    changes.push(...fieldChange('terms', `${path}.description`, `${label} description`, old.description, term.description));
    if (old.kind === 'value' && term.kind === 'value') {
      changes.push(...fieldChange('terms', `${path}.datatype`, `${label} datatype`, old.datatype, term.datatype));
      changes.push(...literalChange('terms', `${path}.value`, `${label} value`, old.value, term.value));
    } else if (old.kind === 'predicate' && term.kind === 'predicate') {
      const b = renderBranches(old.branches);
      const a = renderBranches(term.branches);
      if (b !== a) {
        changes.push({ section: 'terms', change: 'changed', path: `${path}.branches`, summary: `${label}: ${b} -> ${a}`, before: old.branches, after: term.branches });
      }
    }
  }
  return changes;
}

function diffRules(before: readonly RewardRule[], after: readonly RewardRule[]): ProgramChange[] {
  const pairs = matchRules(before, after);
  const changes: ProgramChange[] = [];
  for (const index of pairs.removed) {
    const rule = before[index] as RewardRule;
    changes.push({
      section: 'rewardRules',
      change: 'removed',
      path: `rewardRules[${index}]`,
      summary: `reward rule "${rule.description}" removed (was rule ${index + 1}: ${renderRule(rule)})`,
      before: rule,
    });
  }
  for (const [b, a] of pairs.matched) {
    const old = before[b] as RewardRule;
    const rule = after[a] as RewardRule;
    const path = `rewardRules[${a}]`;
    const label = `reward rule "${rule.description}"`;
    if (b !== a) {
      changes.push({
        section: 'rewardRules',
        change: 'moved',
        path,
        summary: `${label} moved from position ${b + 1} to ${a + 1} (the first matching rule wins)`,
        before: b,
        after: a,
      });
    }
    changes.push(...fieldChange('rewardRules', `${path}.description`, `reward rule ${a + 1} description`, old.description, rule.description));
    changes.push(...fieldChange('rewardRules', `${path}.beneficiary`, `${label} beneficiary`, old.beneficiary, rule.beneficiary));
    changes.push(...fieldChange('rewardRules', `${path}.initialStatus`, `${label} initial status`, old.initialStatus, rule.initialStatus));
    const oldReward = renderReward(old.reward);
    const newReward = renderReward(rule.reward);
    if (oldReward !== newReward) {
      changes.push({ section: 'rewardRules', change: 'changed', path: `${path}.reward`, summary: `${label} reward: ${oldReward} -> ${newReward}`, before: old.reward, after: rule.reward });
    }
    changes.push(...diffConditionSet('rewardRules', `${path}.conditions`, `${label} condition`, old.conditions, rule.conditions));
  }
  for (const index of pairs.added) {
    const rule = after[index] as RewardRule;
    changes.push({
      section: 'rewardRules',
      change: 'added',
      path: `rewardRules[${index}]`,
      summary: `reward rule "${rule.description}" added at position ${index + 1}: ${renderRule(rule)}`,
      after: rule,
    });
  }
  return changes;
}

/**
 * Pairs the rules of two versions: by description when it is unique in both lists, then the
 * remaining ones by position (a rule whose description was edited in place).
 */
function matchRules(before: readonly RewardRule[], after: readonly RewardRule[]) {
  const count = (rules: readonly RewardRule[]) => {
    const counts = new Map<string, number>();
    for (const r of rules) counts.set(r.description, (counts.get(r.description) ?? 0) + 1);
    return counts;
  };
  const beforeCounts = count(before);
  const afterCounts = count(after);
  const matched: [number, number][] = [];
  const usedBefore = new Set<number>();
  const usedAfter = new Set<number>();
  after.forEach((rule, a) => {
    if (afterCounts.get(rule.description) !== 1 || beforeCounts.get(rule.description) !== 1) return;
    const b = before.findIndex((r) => r.description === rule.description);
    matched.push([b, a]);
    usedBefore.add(b);
    usedAfter.add(a);
  });
  after.forEach((_rule, a) => {
    if (usedAfter.has(a) || a >= before.length || usedBefore.has(a)) return;
    matched.push([a, a]);
    usedBefore.add(a);
    usedAfter.add(a);
  });
  matched.sort((x, y) => x[1] - y[1]);
  return {
    matched,
    removed: before.map((_r, i) => i).filter((i) => !usedBefore.has(i)),
    added: after.map((_r, i) => i).filter((i) => !usedAfter.has(i)),
  };
}

/** Conditions compared as a multiset of their readable form: added and removed ones. */
function diffConditionSet(
  section: DiffSection,
  path: string,
  label: string,
  before: readonly Condition[],
  after: readonly Condition[],
): ProgramChange[] {
  const remaining = new Map<string, number[]>();
  before.forEach((condition, index) => {
    const text = renderCondition(condition);
    remaining.set(text, [...(remaining.get(text) ?? []), index]);
  });
  const changes: ProgramChange[] = [];
  after.forEach((condition, index) => {
    const text = renderCondition(condition);
    const left = remaining.get(text);
    if (left && left.length > 0) {
      left.shift();
      return;
    }
    changes.push({ section, change: 'added', path: `${path}[${index}]`, summary: `${label} added: ${text}`, after: condition });
  });
  for (const [text, indexes] of remaining) {
    for (const index of indexes) {
      changes.push({ section, change: 'removed', path: `${path}[${index}]`, summary: `${label} removed: ${text}`, before: before[index] });
    }
  }
  return changes;
}

function fieldChange(section: DiffSection, path: string, label: string, before: unknown, after: unknown): ProgramChange[] {
  if (sameValue(before, after)) return [];
  if (before === undefined) return [{ section, change: 'added', path, summary: `${label} set to ${render(after)}`, after }];
  if (after === undefined) return [{ section, change: 'removed', path, summary: `${label} removed (was ${render(before)})`, before }];
  return [{ section, change: 'changed', path, summary: `${label}: ${render(before)} -> ${render(after)}`, before, after }];
}

/** Lists say which elements came and went (`added 5000; removed 1002`), which reads better than two long lists. */
function literalChange(section: DiffSection, path: string, label: string, before: Literal, after: Literal): ProgramChange[] {
  if (sameValue(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const added = after.filter((x) => !before.includes(x));
    const removed = before.filter((x) => !after.includes(x));
    const parts = [
      ...(added.length > 0 ? [`added ${added.map(render).join(', ')}`] : []),
      ...(removed.length > 0 ? [`removed ${removed.map(render).join(', ')}`] : []),
    ];
    const summary = parts.length > 0 ? parts.join('; ') : `reordered to ${render(after)}`;
    return [{ section, change: 'changed', path, summary: `${label}: ${summary}`, before, after }];
  }
  return fieldChange(section, path, label, before, after);
}

// ---------------------------------------------------------------------------------------------
// Readable forms.

export function renderCondition(condition: Condition): string {
  if (isPredicateRef(condition)) return `${condition.negate ? 'not ' : ''}${condition.predicate}`;
  const operand = condition.term !== undefined ? ` ${condition.term}` : condition.value !== undefined ? ` ${render(condition.value)}` : '';
  return `${condition.subject} ${condition.operator}${operand}`;
}

function renderBranches(branches: readonly (readonly Condition[])[]): string {
  return branches.map((branch) => branch.map(renderCondition).join(' and ')).join(' or ');
}

function renderTerm(term: Term): string {
  return term.kind === 'value' ? `${term.datatype} ${render(term.value)}` : `predicate ${renderBranches(term.branches)}`;
}

export function renderReward(reward: RewardSpec): string {
  switch (reward.type) {
    case 'fixed':
      return `fixed ${formatMoney(reward.amount)}`;
    case 'percent':
      return `${String(reward.percent)}% of ${reward.of}${reward.currency ? ` (${reward.currency})` : ''}`;
    case 'free_period':
      return `${reward.count} free ${reward.unit}${reward.count === 1 ? '' : 's'}`;
    case 'credits':
      return `${reward.credits} credit${reward.credits === 1 ? '' : 's'}`;
  }
}

function renderRule(rule: RewardRule): string {
  const when = rule.conditions.length === 0 ? 'always' : rule.conditions.map(renderCondition).join(' and ');
  return `${renderReward(rule.reward)} to ${rule.beneficiary} (${rule.initialStatus}) when ${when}`;
}

function renderFulfilment(fulfilment: ProgramDocument['fulfilment']): string {
  return fulfilment.kind === 'issuance_bonus_item' ? `issuance_bonus_item ${fulfilment.itemKind}` : fulfilment.kind;
}

function render(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (isMoneyLike(value)) return formatMoney(value);
  return stableJson(value);
}

function isMoneyLike(value: unknown): value is { amountMinor: number; currency: string } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Number.isSafeInteger(v['amountMinor']) && typeof v['currency'] === 'string' && /^[A-Z]{3}$/.test(v['currency']);
}

// Stored documents come back from jsonb with their keys reordered: compare and print with sorted keys.
function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function unionKeys(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}
