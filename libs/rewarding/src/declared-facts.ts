import { type FactCatalog, lookupFact } from '@referrals/rule-dsl';
import { RewardingError, type RewardingIssue } from './rewarding.errors';

/**
 * The host's extra facts of a qualifying event (reward phase) or of a signup (eligibility phase)
 * must be facts its product's catalog declares for that phase (Kilo rule 173's "not ignored"): a
 * misspelt or unknown fact is refused with a 400 naming it, before anything is written, instead of
 * silently never matching a rule. A declared fact's value is not walked into (money facts are objects).
 */
export function checkDeclaredFacts(
  catalog: FactCatalog | undefined,
  facts: Record<string, unknown> | undefined,
  product: string,
  phase: 'reward' | 'eligibility' = 'reward',
): void {
  if (!catalog || !facts) return;
  const issues: RewardingIssue[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${name}` : name;
      const fact = lookupFact(catalog, path);
      if (fact) {
        if (!fact.phases.includes(phase)) {
          issues.push({ path: `facts.${path}`, code: 'fact_undeclared', message: `${path} is not a fact of the ${phase} phase in the ${product} catalog` });
        }
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
        walk(value as Record<string, unknown>, path);
      } else {
        issues.push({ path: `facts.${path}`, code: 'fact_undeclared', message: `the ${product} catalog declares no fact ${path}` });
      }
    }
  };
  walk(facts, '');
  if (issues.length > 0) {
    throw new RewardingError('fact_undeclared', `${issues.length} fact(s) the ${product} catalog does not declare`, { issues });
  }
}
