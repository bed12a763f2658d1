import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectRuleTests, renderRulesMap, ROOT, RULES_FILE } from './rules-map';

const tests = collectRuleTests();
writeFileSync(RULES_FILE, renderRulesMap(tests));
console.log(`wrote ${tests.length} rule-test rows to ${path.relative(ROOT, RULES_FILE)}`);
