import { exampleCatalogs, examplePrograms } from './fixtures';
import { PROBLEM_CODES } from './problems';
import { type ProgramDocument } from './program.schema';
import { validateProgram } from './validate-program';

/** A mutable copy of a frozen fixture (plain JSON, so a JSON round trip copies it exactly). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const kiloPass = (): ProgramDocument => copy(examplePrograms.kiloPass);

describe('validateProgram', () => {
  it('returns the parsed document when there is no problem, so callers parse once', () => {
    const result = validateProgram(examplePrograms.kiloPass, exampleCatalogs.kiloPass);
    expect(result).toEqual({ ok: true, program: examplePrograms.kiloPass, problems: [] });
  });

  it('rejects input that is not a document, with a problem rather than an exception', () => {
    for (const input of [null, 42, 'program', []]) {
      const result = validateProgram(input, exampleCatalogs.kiloPass);
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
    }
  });

  it('reports the problems of well-formed parts even when another part is malformed', () => {
    const doc = { ...kiloPass(), status: 'live', eligibility: [{ subject: 'referee.nope', operator: 'is_true' }] };
    const result = validateProgram(doc, exampleCatalogs.kiloPass);
    expect(result.problems.map((p) => [p.code, p.path])).toEqual([
      ['field_invalid', 'status'],
      ['subject_unknown', 'eligibility[0].subject'],
    ]);
  });

  it('explains each problem in a sentence that names the culprit', () => {
    const doc = kiloPass();
    const result = validateProgram({ ...doc, rewardRules: [{ ...doc.rewardRules[0], conditions: [{ subject: 'subscription.tier', operator: 'gt', value: 'tier_49' }] }] }, exampleCatalogs.kiloPass);
    expect(result.problems).toEqual([
      { code: 'operator_invalid_for_datatype', path: 'rewardRules[0].conditions[0].operator', message: 'gt does not apply to subscription.tier, a string' },
    ]);
  });

  it('reports the right form of a malformed condition: the comparison the author meant', () => {
    const doc = { ...kiloPass(), eligibility: [{ subject: 'referee.is_new_account', operator: 'is_true', vlaue: true }] };
    expect(validateProgram(doc, exampleCatalogs.kiloPass).problems.map((p) => [p.code, p.path])).toEqual([['field_unknown', 'eligibility[0].vlaue']]);
  });

  it('reports a phase error inside a predicate once, naming where the predicate is used', () => {
    const doc = copy(examplePrograms.challengeRewards);
    const result = validateProgram(
      {
        ...doc,
        terms: [...doc.terms, { name: 'pricey_lesson', kind: 'predicate', branches: [[{ subject: 'lesson.usd_amount', operator: 'gte', value: '50' }]] }],
        eligibility: [...doc.eligibility, { predicate: 'pricey_lesson' }, { predicate: 'pricey_lesson', negate: true }],
      },
      exampleCatalogs.challengeRewards,
    );
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'fact_phase_invalid', path: 'terms[8].branches[0][0].subject' });
    expect(result.problems[0]?.message).toContain('eligibility[4]');
  });

  it('uses only documented problem codes', () => {
    const doc = { ...kiloPass(), trigger: 'lesson.completed', product: 'tutoring', schedule: { startAt: 'x' } };
    for (const problem of validateProgram(doc, exampleCatalogs.kiloPass).problems) expect(PROBLEM_CODES).toContain(problem.code);
  });
});
