import { compileProgram, compileProgramOrThrow } from './compile-program';
import { RuleDslError } from './errors';
import { type FactCatalog, type FactSet } from './fact-catalog';
import { deepFreeze } from './fixtures/deep-freeze';
import { exampleCatalogs, examplePrograms } from './fixtures';

// Loose catalogs: these tests feed deliberately malformed fact sets.
const kiloPass = compileProgramOrThrow(examplePrograms.kiloPass, exampleCatalogs.kiloPass as FactCatalog);
const challenge = compileProgramOrThrow(examplePrograms.challengeRewards, exampleCatalogs.challengeRewards as FactCatalog);

const kiloFacts = (overrides: Record<string, unknown> = {}): FactSet => ({
  subscription: { tier: 'tier_49', interval: 'monthly', kind: 'personal', monthly_price: { amountMinor: 4900, currency: 'USD' } },
  payment: { sequence: 1, amount: { amountMinor: 2450, currency: 'USD' } },
  ...overrides,
});

describe('compileProgram', () => {
  it('returns the problems of an invalid document instead of throwing', () => {
    const result = compileProgram({ ...examplePrograms.kiloPass, trigger: 'lesson.completed' }, exampleCatalogs.kiloPass);
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ code: 'trigger_unknown', path: 'trigger' })] });
  });

  it('exposes the validated document and the schedule in milliseconds', () => {
    expect(kiloPass.document).toEqual(examplePrograms.kiloPass);
    expect(kiloPass.window).toEqual({ startAtMs: Date.UTC(2025, 0, 1), frozenAtMs: Date.UTC(2027, 0, 1), endAtMs: Date.UTC(2028, 0, 1) });
    expect(kiloPass.trigger).toBe('payment.succeeded');
  });
});

describe('compileProgramOrThrow', () => {
  it('throws a RuleDslError carrying every problem', () => {
    const broken = { ...examplePrograms.kiloPass, eligibility: [{ subject: 'nope', operator: 'eq', value: 1 }], priority: 1.5 };
    expect(() => compileProgramOrThrow(broken, exampleCatalogs.kiloPass)).toThrow(RuleDslError);
    try {
      compileProgramOrThrow(broken, exampleCatalogs.kiloPass);
    } catch (error) {
      expect(error).toMatchObject({ code: 'program_invalid', problems: [{ path: 'priority' }, { path: 'eligibility[0].subject' }] });
    }
  });
});

describe('evaluateReward', () => {
  it('accepts the evaluation instant as a Date or an ISO string alike', () => {
    const fromString = kiloPass.evaluateReward('payment.succeeded', kiloFacts(), { at: '2025-06-01T00:00:00Z' });
    const fromDate = kiloPass.evaluateReward('payment.succeeded', kiloFacts(), { at: new Date('2025-06-01T00:00:00Z') });
    expect(fromDate).toEqual(fromString);
    expect(kiloPass.evaluateReward('payment.succeeded', kiloFacts(), { at: new Date(Number.NaN) }).code).toBe('evaluation_time_invalid');
  });

  it('treats a fact set that is not an object as one where every fact is missing, and a missing instant as invalid', () => {
    for (const program of [kiloPass]) {
      expect(program.evaluateReward('payment.succeeded', null as unknown as FactSet, { at: '2025-06-01T00:00:00Z' }).code).toBe('facts_invalid');
      expect(program.evaluateEligibility(undefined as unknown as FactSet, { at: '2025-06-01T00:00:00Z', explain: false }).code).toBe('facts_invalid');
      expect(program.evaluateEligibility({}, undefined as never).code).toBe('evaluation_time_invalid');
    }
  });

  it('never mutates the fact set', () => {
    const facts = deepFreeze(kiloFacts());
    expect(() => kiloPass.evaluateReward('payment.succeeded', facts, { at: '2025-06-01T00:00:00Z' })).not.toThrow();
  });

  it('returns plain, serializable data', () => {
    const result = kiloPass.evaluateReward('payment.succeeded', kiloFacts(), { at: '2025-06-01T00:00:00Z' });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('shares one frozen result for constant outcomes on the fast path', () => {
    const a = kiloPass.evaluateReward('payment.refunded', kiloFacts(), { at: '2025-06-01T00:00:00Z', explain: false });
    const b = kiloPass.evaluateReward('payment.refunded', {}, { at: '2026-06-01T00:00:00Z', explain: false });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a.explanation).toBeUndefined();
  });

  it('computes percent rewards exactly for every cent amount, from numbers and decimal strings alike', () => {
    const at = '2025-10-01T00:00:00Z';
    for (let cents = 4000; cents < 6500; cents++) {
      const expected = { type: 'money', amount: { amountMinor: Math.floor((cents * 125 + 500) / 1000), currency: 'USD' } };
      for (const usd of [cents / 100, (cents / 100).toFixed(2)]) {
        const result = challenge.evaluateReward('lesson.completed', { lesson: { usd_amount: usd } }, { at, explain: false });
        expect(result.grants[0]?.reward).toEqual(expected);
      }
    }
  });

  it('reads the clock fact from the evaluation instant, not from the fact set', () => {
    const facts = { lesson: { usd_amount: 45.3 }, now: '2030-01-01T00:00:00Z' };
    const result = challenge.evaluateReward('lesson.completed', facts, { at: '2025-10-01T00:00:00Z' });
    expect(result.code).toBe('rewarded');
    const nowTrace = result.explanation?.rules[0]?.conditions[0];
    expect(nowTrace?.kind === 'predicate' && nowTrace.branches[0]?.conditions[0]).toMatchObject({ subject: 'now', actual: '2025-10-01T00:00:00.000Z' });
  });
});

describe('fast and explaining paths', () => {
  /** Deterministic pseudo-random choices. */
  function chooser(seed: number) {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    return (...options: unknown[]): unknown => options[Math.floor(next() * options.length)];
  }

  it('reach the same decision on thousands of varied, partly malformed fact sets', () => {
    const pick = chooser(2025);
    const maybe = (value: unknown) => pick(value, value, value, value, undefined, null, 'x', 1.5, []);
    for (let i = 0; i < 3000; i++) {
      const at = pick('2024-12-31T23:59:59Z', '2025-09-15T00:00:00Z', '2025-12-01T00:00:00Z', '2025-12-31T00:00:00Z', '2026-01-01T00:00:00Z') as string;
      const lessonFacts: FactSet = {
        advocate: pick({ user_id: maybe(pick(7, 1001)), toggles: maybe(pick(['student_challenge_2025'], ['x'])) }, undefined),
        invitee: { user_id: maybe(pick(8, 4242)), country: maybe(pick('US', 'FR')) },
        referral: { created_at: maybe(pick('2025-09-10T00:00:00Z', new Date('2025-12-01T00:00:00Z'))) },
        lesson: { usd_amount: maybe(pick(45.3, '40.00', 39.99, '8.04', -3)) },
      };
      const kiloFactSet: FactSet = {
        referee: { is_new_account: maybe(pick(true, false)) },
        subscription: {
          tier: maybe(pick('tier_19', 'tier_49', 'tier_9')),
          interval: maybe(pick('monthly', 'yearly')),
          kind: maybe(pick('personal', 'team')),
          monthly_price: maybe(pick({ amountMinor: 4901, currency: 'USD' }, { amountMinor: 1, currency: 'USD' }, { amountMinor: -5, currency: 'USD' })),
        },
        payment: { sequence: maybe(pick(1, 2)) },
      };
      for (const [program, facts, event] of [
        [challenge, lessonFacts, pick('lesson.completed', 'lesson.booked') as string],
        [kiloPass, kiloFactSet, 'payment.succeeded'],
      ] as const) {
        const explained = program.evaluateReward(event, facts, { at });
        const fast = program.evaluateReward(event, facts, { at, explain: false });
        expect({ code: fast.code, rule: fast.rule, grants: fast.grants }).toEqual({ code: explained.code, rule: explained.rule, grants: explained.grants });
        const eligibility = program.evaluateEligibility(facts, { at, explain: false });
        expect(eligibility.code).toBe(program.evaluateEligibility(facts, { at }).code);
      }
    }
  });
});

describe('rewardFactPaths: the facts a reward evaluation can read', () => {
  /** Only the given paths of a fact set (what preview reads from a decision record). */
  const project = (facts: FactSet, paths: readonly string[]): FactSet => {
    const out: Record<string, unknown> = {};
    for (const path of paths) {
      const segments = path.split('.');
      let from: unknown = facts;
      for (const s of segments) from = typeof from === 'object' && from !== null ? (from as Record<string, unknown>)[s] : undefined;
      if (from === undefined) continue;
      let to = out;
      for (const s of segments.slice(0, -1)) to = (to[s] ??= {}) as Record<string, unknown>;
      to[segments.at(-1) as string] = from;
    }
    return out;
  };

  it('names the conditions\' facts (through predicates) and percent bases, never the clock', () => {
    expect([...challenge.rewardFactPaths].sort()).toEqual(['lesson.usd_amount']);
    expect(kiloPass.rewardFactPaths.length).toBeGreaterThan(0);
    expect(kiloPass.rewardFactPaths).not.toContain('now');
  });

  it('a fact set holding only those facts decides and explains exactly as the whole one', () => {
    const at = new Date('2025-10-01T12:00:00Z');
    const lessons = ['25.00', '40.00', '45.30', 'abc', 12, null].map((usd, i) => ({
      referral: { created_at: '2025-09-01T12:00:00.000Z' },
      invitee: { signed_up_at: '2025-09-01T12:00:00.000Z', country: 'US', user_id: 7001 },
      advocate: { user_id: 5001, toggles: ['student_challenge_2025'] },
      lesson: { id: `l-${i}`, usd_amount: usd, duration_minutes: 50, sequence: i + 1, is_trial: i % 2 === 0, completed_at: at.toISOString() },
      event: { sequence: i + 1 },
    }));
    for (const facts of lessons) {
      const projected = project(facts, challenge.rewardFactPaths);
      expect(challenge.evaluateReward('lesson.completed', projected, { at })).toEqual(challenge.evaluateReward('lesson.completed', facts, { at }));
    }
    const payments = [kiloFacts(), kiloFacts({ payment: { sequence: 2, amount: { amountMinor: 2450, currency: 'USD' } } }), kiloFacts({ subscription: { tier: 'tier_19', interval: 'yearly', kind: 'team' } })];
    for (const facts of payments) {
      const projected = project(facts, kiloPass.rewardFactPaths);
      expect(kiloPass.evaluateReward('payment.succeeded', projected, { at })).toEqual(kiloPass.evaluateReward('payment.succeeded', facts, { at }));
    }
  });
});
