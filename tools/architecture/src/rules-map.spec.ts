import { readFileSync } from 'node:fs';
import { collectRuleTests, renderRulesMap, RULES_FILE } from './rules-map';

describe("docs/rules.md maps Kilo's rule numbers to the tests that carry them", () => {
  it('is up to date with the test names (run `npm run rules:map` after adding or renaming a rule test)', () => {
    expect(readFileSync(RULES_FILE, 'utf8')).toBe(renderRulesMap(collectRuleTests()));
  });

  it('finds the rule refs of a test name, several per test, in rule order', () => {
    const rows = renderRulesMap([
      { rule: '131', test: '[131, 107] annual', file: 'a.spec.ts' },
      { rule: '107', test: '[131, 107] annual', file: 'a.spec.ts' },
      { rule: '69a', test: '[69a] retired', file: 'b.spec.ts' },
      { rule: 'error handling 6', test: '[error handling 6] reasons', file: 'c.spec.ts' },
    ])
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| rule'));
    expect(rows.map((r) => r.split(' | ')[0]!.slice(2))).toEqual(['69a', '107', '131', 'error handling 6']);
  });
});
