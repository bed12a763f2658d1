import { exampleCatalogs, examplePrograms } from '@referrals/rule-dsl';
import { draftDiff } from './draft-diff';
import { type ProgramForm, documentToForm, formToDocument, inputToIso, moveItem, setProducts } from './form';
import { windowMarker } from './program-window';
import { operatorWords, pathWords, plainMessage, rewardWords } from './words';

describe('the console in words', () => {
  let form: ProgramForm;
  beforeAll(() => {
    setProducts(
      Object.values(exampleCatalogs).map((c) => ({ key: c.product, catalog: { kind: 'test', description: c.description, events: [...c.events], facts: c.facts }, currency: 'USD', tiers: {} })),
    );
    form = documentToForm(examplePrograms.challengeRewards);
  });

  it('names document paths as the screen numbers its rows, from 1', () => {
    expect(pathWords('eligibility[2]', form)).toBe('Eligibility condition 3');
    expect(pathWords('terms[3].branches[0][1].term', form)).toBe('Term "inviting_window_active", branch 1, condition 2: value term');
    expect(pathWords('rewardRules[1].conditions[0].value', form)).toBe('Reward rule 2, condition 1: value');
    expect(pathWords('rewardRules[0].reward.percent', form)).toBe('Reward rule 1: reward percent');
    expect(pathWords('schedule.endAt', form)).toBe('End (end_date)');
  });

  it('turns validator phrasing into plain words and keeps messages that are already plain', () => {
    expect(plainMessage('Too small: expected string to have >=1 characters')).toBe('is required');
    expect(plainMessage('Invalid input: expected number, received NaN')).toBe('must be a number');
    expect(plainMessage('lesson.usd_amount does not exist at eligibility time; it exists at: reward')).toMatch(
      /^lesson\.usd_amount exists only at reward time .*cannot be used in Eligibility/,
    );
    expect(plainMessage('is taken by active program "x"')).toBe('is taken by active program "x"');
  });

  it('reads operators and rewards in words, money as money', () => {
    expect(operatorWords('gte')).toBe('is at least');
    expect(operatorWords('not_in')).toBe('is not one of');
    expect(rewardWords({ type: 'money', amount: { amountMinor: 750, currency: 'USD' } })).toBe('7.50 USD');
    expect(rewardWords({ type: 'free_period', count: 2, unit: 'month' })).toBe('2 free months');
  });

  it('lists what a save would change, and nothing for an unchanged document', () => {
    const before = formToDocument(form);
    expect(draftDiff(before, formToDocument(form), form)).toEqual([]);
    const edited = { ...form, name: 'Renamed', rewardRules: moveItem(form.rewardRules, 1, 0) };
    const lines = draftDiff(before, formToDocument(edited), edited);
    expect(lines).toContain('changed Name: "Challenge Based Rewards (student)" → "Renamed"');
    expect(lines).toContain('changed Reward rule 1: description: "Enhanced challenge reward" → "Base challenge reward"');
  });

  it('moves list items and reads dates typed with a space', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b'], 0, 5)).toEqual(['a', 'b']);
    expect(inputToIso('2025-09-01 10:30')).toBe('2025-09-01T10:30:00Z');
    expect(inputToIso('2025-09-01')).toBe('2025-09-01T00:00:00Z');
  });

  it('marks a program ended after its end date, not started before its start', () => {
    const { schedule } = examplePrograms.challengeRewards;
    expect(windowMarker({ schedule }, new Date('2026-06-01T00:00:00Z'))).toBe('ended');
    expect(windowMarker({ schedule }, new Date('2025-08-01T00:00:00Z'))).toBe('not started');
    expect(windowMarker({ schedule }, new Date('2025-10-01T00:00:00Z'))).toBeNull();
  });
});
