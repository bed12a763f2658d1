import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The map from Kilo's rule numbers to the tests that prove them (docs/rules.md), built from the
 * test names: a test whose name starts with `[123]` or `[131, 107]` proves those rules. Generated,
 * never edited by hand: `npm run rules:map` writes it, and a test fails while it is stale.
 */
export const ROOT = path.resolve(__dirname, '../../..');
export const RULES_FILE = path.join(ROOT, 'docs/rules.md');
const SEARCHED = ['apps', 'libs', 'tools'];

export interface RuleTest {
  rule: string;
  test: string;
  file: string;
}

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return specFiles(full);
    return /\.spec\.ts$|\.fuzz\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** `it('[131, 107] ...'` and `describe("[28] ..."`: the rule refs in brackets at the start of the name. */
const NAMED_TEST = /\b(?:it|test|describe)(?:\.each\([^)]*\))?\(\s*(['"`])\[([^\]]{1,80})\]\s*((?:\\.|(?!\1).)*)\1/g;

export function collectRuleTests(root = ROOT): RuleTest[] {
  const found: RuleTest[] = [];
  for (const top of SEARCHED) {
    for (const file of specFiles(path.join(root, top))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(NAMED_TEST)) {
        const [, , refList = '', title = ''] = match;
        const refs = refList.split(',').map((r) => r.trim()).filter(Boolean);
        const name = `[${refList}] ${title.replace(/\\(['"`])/g, '$1')}`;
        for (const rule of refs) found.push({ rule, test: name, file: path.relative(root, file) });
      }
    }
  }
  return found;
}

/** Numeric rules in number order ([69a] after [69]), then named ones (`error handling 6`). */
function ruleOrder(a: string, b: string): number {
  const na = /^(\d+)([a-z]?)$/.exec(a);
  const nb = /^(\d+)([a-z]?)$/.exec(b);
  if (na && nb) return Number(na[1]) - Number(nb[1]) || (na[2] ?? '').localeCompare(nb[2] ?? '');
  if (na) return -1;
  if (nb) return 1;
  return a.localeCompare(b);
}

export function renderRulesMap(tests: readonly RuleTest[]): string {
  const sorted = [...tests].sort((a, b) => ruleOrder(a.rule, b.rule) || a.file.localeCompare(b.file) || a.test.localeCompare(b.test));
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    '# Kilo rules and the tests that prove them',
    '',
    "Rule numbers are those of Kilo's public spec (`.specs/impact-referrals.md` in Kilo-Org/cloud). Each row",
    'is a test whose name carries the rule; a rule with several rows is proven from several sides.',
    'Generated from the test names by `npm run rules:map` (a test fails while this file is stale): do not edit.',
    '',
    '| rule | test | file |',
    '|---|---|---|',
    ...sorted.map((t) => `| ${cell(t.rule)} | ${cell(t.test)} | \`${t.file}\` |`),
    '',
  ];
  return lines.join('\n');
}
