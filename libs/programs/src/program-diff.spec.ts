import { type ProgramDocument, type RewardRule } from '@referrals/rule-dsl';
import { diffProgramDocuments, formatProgramDiff } from './program-diff';
import { challengeRewards, defined, kiloPass } from './testing/program-fixtures';

const summaries = (before: ProgramDocument, after: ProgramDocument) => diffProgramDocuments(before, after).map((c) => c.summary);

describe('diffProgramDocuments', () => {
  it('two identical documents have no changes, whatever the key order of their objects', () => {
    const document = challengeRewards();
    const reordered = JSON.parse(JSON.stringify(document, Object.keys(document).sort())) as ProgramDocument;
    expect(diffProgramDocuments(document, { ...reordered, ...document })).toEqual([]);
  });

  it('identity, schedule, trigger, limits and fulfilment changes read as "field: before -> after"', () => {
    const before = kiloPass();
    const after = kiloPass({
      status: 'paused',
      priority: 5,
      schedule: { ...before.schedule, frozenAt: '2026-07-01T00:00:00Z' },
      limits: { ...before.limits, referrerRewardCap: 10, pendingExpiryDays: undefined },
      fulfilment: { kind: 'ledger_credit' },
    });
    delete (after.limits as { pendingExpiryDays?: number }).pendingExpiryDays;
    expect(summaries(before, after)).toEqual([
      'status: "active" -> "paused"',
      'priority: 10 -> 5',
      'schedule.frozenAt: "2027-01-01T00:00:00Z" -> "2026-07-01T00:00:00Z"',
      'limits.referrerRewardCap: 5 -> 10',
      'limits.pendingExpiryDays removed (was 365)',
      'fulfilment: issuance_bonus_item referral_bonus -> ledger_credit',
    ]);
  });

  it('terms: added, removed, and changed (list values say which elements came and went)', () => {
    const before = challengeRewards();
    const terms = before.terms
      .filter((t) => t.name !== 'challenge_toggle')
      .map((t) => (t.name === 'challenge_user_blocklist' && t.kind === 'value' ? { ...t, value: [1001, 4242, 5000] } : t));
    terms.push({ name: 'min_lesson_usd', kind: 'value', datatype: 'decimal', value: '40.00' });
    const after = challengeRewards({ terms });
    const changes = diffProgramDocuments(before, after);
    expect(changes.map((c) => [c.change, c.path, c.summary])).toEqual([
      ['removed', 'terms[1]', 'term "challenge_toggle" removed (was string "student_challenge_2025")'],
      ['changed', 'terms[1].value', 'term "challenge_user_blocklist" value: added 5000; removed 1002'],
      ['added', 'terms[7]', 'term "min_lesson_usd" added: decimal "40.00"'],
    ]);
  });

  it('a predicate term whose branches changed shows both readings', () => {
    const before = challengeRewards();
    const after = challengeRewards({
      terms: before.terms.map((t) =>
        t.name === 'invitee_passes_checks' && t.kind === 'predicate'
          ? { ...t, branches: [[{ subject: 'invitee.country', operator: 'in' as const, term: 'eligible_countries' }]] }
          : t,
      ),
    });
    expect(summaries(before, after)).toEqual([
      'term "invitee_passes_checks": invitee.country in eligible_countries and invitee.user_id not_in challenge_user_blocklist -> invitee.country in eligible_countries',
    ]);
  });

  it('eligibility conditions are a set: added and removed, never "moved"', () => {
    const before = challengeRewards();
    const after = challengeRewards({
      eligibility: [...before.eligibility.slice(1).reverse(), { subject: 'advocate.country', operator: 'is_set' }],
    });
    expect(summaries(before, after)).toEqual(['eligibility added: advocate.country is_set', 'eligibility removed: inviting_window_active']);
  });

  it('reward rules: changed reward and conditions, moved (order decides), added and removed', () => {
    const before = challengeRewards();
    const [enhanced, base] = before.rewardRules as [RewardRule, RewardRule];
    const cheaper: RewardRule = { ...base, reward: { type: 'fixed', amount: { amountMinor: 250, currency: 'USD' } } };
    const trial: RewardRule = {
      description: 'Trial lesson reward',
      beneficiary: 'referrer',
      reward: { type: 'credits', credits: 1 },
      initialStatus: 'pending',
      conditions: [{ subject: 'lesson.is_trial', operator: 'is_true' }],
    };
    const stricter: RewardRule = { ...enhanced, conditions: [...enhanced.conditions, { subject: 'lesson.is_trial', operator: 'is_false' }] };
    expect(summaries(before, challengeRewards({ rewardRules: [cheaper, stricter, trial] }))).toEqual([
      'reward rule "Base challenge reward" moved from position 2 to 1 (the first matching rule wins)',
      'reward rule "Base challenge reward" reward: fixed 3.00 USD -> fixed 2.50 USD',
      'reward rule "Enhanced challenge reward" moved from position 1 to 2 (the first matching rule wins)',
      'reward rule "Enhanced challenge reward" condition added: lesson.is_trial is_false',
      'reward rule "Trial lesson reward" added at position 3: 1 credit to referrer (pending) when lesson.is_trial is_true',
    ]);
    expect(summaries(before, challengeRewards({ rewardRules: [enhanced] }))).toEqual([
      'reward rule "Base challenge reward" removed (was rule 2: fixed 3.00 USD to referrer (earned) when lesson_window_active)',
    ]);
  });

  it('a rule renamed in place is the same rule with a new description', () => {
    const before = kiloPass();
    const rule = defined(before.rewardRules[0]);
    const after = kiloPass({ rewardRules: [{ ...rule, description: 'First monthly payment', reward: { type: 'percent', percent: '40', of: 'subscription.monthly_price' } }] });
    expect(summaries(before, after)).toEqual([
      `reward rule 1 description: "${rule.description}" -> "First monthly payment"`,
      'reward rule "First monthly payment" reward: 50% of subscription.monthly_price -> 40% of subscription.monthly_price',
    ]);
  });

  it('formatProgramDiff: a heading, then one line per change', () => {
    const before = kiloPass();
    const changes = diffProgramDocuments(before, kiloPass({ priority: 11 }));
    expect(formatProgramDiff({ programKey: before.key, fromVersion: 1, toVersion: 2, changes })).toEqual([
      'kilo-pass-referrals v1 -> v2: 1 change',
      '- priority: 10 -> 11',
    ]);
    expect(formatProgramDiff({ programKey: before.key, fromVersion: 2, toVersion: 3, changes: [] })).toEqual(['kilo-pass-referrals v2 -> v3: no changes']);
  });
});
