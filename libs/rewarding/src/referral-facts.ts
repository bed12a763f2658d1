import { type FactCatalog, type FactSet, lookupFact } from '@referrals/rule-dsl';

type MutableFacts = Record<string, unknown>;

/**
 * Sets `path` (`referrer.user_id`) in a nested fact set when the catalog declares it, converting
 * ids to the catalog's datatype (the lessons catalog's user ids are ints; ours are strings). A
 * value that does not fit is left out, so a rule that needs it is `facts_invalid`, never a guess.
 */
export function setFact(catalog: FactCatalog, facts: MutableFacts, path: string, value: unknown): void {
  const fact = lookupFact(catalog, path);
  if (!fact || value === undefined || value === null) return;
  let typed = value;
  if (fact.datatype === 'int' && typeof value === 'string') {
    if (!/^-?\d{1,15}$/.test(value)) return;
    typed = Number(value);
  }
  if (fact.datatype === 'datetime' && value instanceof Date) typed = value.toISOString();
  const segments = path.split('.');
  let node = facts;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
    node = node[segment] as MutableFacts;
  }
  node[segments[segments.length - 1] ?? path] = typed;
}

/** Deep copy of the host's facts (plain JSON), so engine facts can be set over them. */
export function hostFacts(facts: FactSet | undefined): MutableFacts {
  return facts ? (structuredClone(facts) as MutableFacts) : {};
}

/**
 * The facts the engine itself knows about a referral, in whichever vocabulary the catalog uses
 * (`referrer`/`referee` for payments, `advocate`/`invitee` for lessons). They are set over the
 * host's facts: a caller cannot claim another referrer or another signup time.
 */
export function referralFacts(
  catalog: FactCatalog,
  facts: MutableFacts,
  referral: { referrerUserId: string | null; refereeUserId: string; createdAt: Date; signedUpAt: Date },
): MutableFacts {
  setFact(catalog, facts, 'referral.created_at', referral.createdAt);
  for (const path of ['referrer.user_id', 'advocate.user_id']) setFact(catalog, facts, path, referral.referrerUserId);
  for (const path of ['referee.user_id', 'invitee.user_id']) setFact(catalog, facts, path, referral.refereeUserId);
  setFact(catalog, facts, 'invitee.signed_up_at', referral.signedUpAt);
  setFact(catalog, facts, 'referee.is_new_account', true);
  return facts;
}
