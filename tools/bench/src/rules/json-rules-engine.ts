/**
 * The two example programs as json-rules-engine rules: the same windows and conditions, facts read
 * through JSONPath, first match emulated with rule priorities. Like most engines it reads a missing
 * fact as undefined (with `allowUndefinedFacts`, else it throws), so on malformed fact sets it can
 * disagree with the compiled evaluator; it is compared on well-formed ones only.
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import { type BenchCase } from './fact-sets';

const ms = (iso: string): number => Date.parse(iso);

function engine(rules: RuleProperties[]): Engine {
  const e = new Engine(rules, { allowUndefinedFacts: true });
  // Instants are Date objects in fact sets; the default numeric operators reject them.
  e.addOperator<unknown, number>('instantAtOrAfter', (value, bound) => value instanceof Date && value.getTime() >= bound);
  e.addOperator<unknown, number>('instantBefore', (value, bound) => value instanceof Date && value.getTime() < bound);
  return e;
}

const window = (from: string, until: string) => [
  { fact: 'atMs', operator: 'greaterThanInclusive', value: ms(from) },
  { fact: 'atMs', operator: 'lessThan', value: ms(until) },
];

const kiloPassEligibility = engine([
  {
    name: 'eligible',
    conditions: {
      all: [...window('2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'), { fact: 'referee', path: '$.is_new_account', operator: 'equal', value: true }],
    },
    event: { type: 'eligible' },
  },
]);

const kiloPassReward = engine([
  {
    name: 'first paid personal monthly payment',
    priority: 1,
    conditions: {
      all: [
        { fact: 'eventType', operator: 'equal', value: 'payment.succeeded' },
        ...window('2025-01-01T00:00:00Z', '2028-01-01T00:00:00Z'),
        { fact: 'subscription', path: '$.tier', operator: 'in', value: ['tier_19', 'tier_49', 'tier_199'] },
        { fact: 'subscription', path: '$.interval', operator: 'equal', value: 'monthly' },
        { fact: 'subscription', path: '$.kind', operator: 'equal', value: 'personal' },
        { fact: 'payment', path: '$.sequence', operator: 'equal', value: 1 },
      ],
    },
    event: { type: 'reward', params: { rule: 0, percent: 50 } },
  },
]);

const challengeEligibility = engine([
  {
    name: 'eligible',
    conditions: {
      all: [
        ...window('2025-09-01T00:00:00Z', '2025-12-01T00:00:00Z'),
        { fact: 'referral', path: '$.created_at', operator: 'instantAtOrAfter', value: ms('2025-09-01T00:00:00Z') },
        { fact: 'referral', path: '$.created_at', operator: 'instantBefore', value: ms('2025-12-01T00:00:00Z') },
        { fact: 'advocate', path: '$.user_id', operator: 'notIn', value: [1001, 1002, 4242] },
        { fact: 'advocate', path: '$.toggles', operator: 'contains', value: 'student_challenge_2025' },
        { fact: 'invitee', path: '$.country', operator: 'in', value: ['US', 'CA', 'GB', 'AU', 'IE', 'NZ'] },
        { fact: 'invitee', path: '$.user_id', operator: 'notIn', value: [1001, 1002, 4242] },
      ],
    },
    event: { type: 'eligible' },
  },
]);

const lessonWindow = window('2025-09-01T00:00:00Z', '2026-01-01T00:00:00Z');
const challengeReward = engine([
  {
    name: 'Enhanced challenge reward',
    priority: 2,
    conditions: {
      all: [
        { fact: 'eventType', operator: 'equal', value: 'lesson.completed' },
        ...lessonWindow,
        { fact: 'lesson', path: '$.usd_amount', operator: 'greaterThanInclusive', value: 40 },
      ],
    },
    event: { type: 'reward', params: { rule: 0, percent: 12.5 } },
  },
  {
    name: 'Base challenge reward',
    priority: 1,
    conditions: { all: [{ fact: 'eventType', operator: 'equal', value: 'lesson.completed' }, ...lessonWindow] },
    event: { type: 'reward', params: { rule: 1, amountMinor: 300 } },
  },
]);

/** The fact object json-rules-engine runs on: the fact set plus the evaluation instant and event. */
export function jreFacts(c: BenchCase): Record<string, unknown> {
  return { ...c.facts, atMs: c.atMs, eventType: c.event };
}

export function jreEngineFor(c: BenchCase): Engine {
  if (c.program === 'kiloPass') return c.phase === 'eligibility' ? kiloPassEligibility : kiloPassReward;
  return c.phase === 'eligibility' ? challengeEligibility : challengeReward;
}

/** The decision json-rules-engine reached, in the bench's common form (`eligible`, `rewarded:0:2450`, ...). */
export function jreDecision(c: BenchCase, events: readonly { type: string; params?: Record<string, unknown> }[]): string {
  if (c.phase === 'eligibility') return events.some((e) => e.type === 'eligible') ? 'eligible' : 'not_eligible';
  // First match: events arrive in priority order, the highest first.
  const first = events[0];
  if (!first) return 'no_reward';
  const rule = Number(first.params?.['rule']);
  if (c.program === 'kiloPass') {
    const cents = ((c.facts['subscription'] as Record<string, unknown>)['monthly_price'] as { amountMinor: number }).amountMinor;
    return `rewarded:${rule}:${Math.floor((cents * 50 + 50) / 100)}`;
  }
  if (rule === 1) return 'rewarded:1:300';
  const usd = Number((c.facts['lesson'] as Record<string, unknown>)['usd_amount']);
  return `rewarded:0:${Math.floor((Math.round(usd * 100) * 125 + 500) / 1000)}`;
}
