/**
 * Custom search attributes the workflows set so that the Temporal UI can find a reward's workflows
 * by reward id, user and program. The dev stack registers them when it starts the dev server; the
 * worker registers any that are missing on other clusters.
 */
export const SEARCH_ATTRIBUTES = {
  RewardId: 'Keyword',
  ReferralUserId: 'Keyword',
  ProgramKey: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** A typed Keyword search attribute, as `typedSearchAttributes` / `upsertSearchAttributes` take it. */
export interface KeywordSearchAttribute {
  key: { name: SearchAttributeName; type: 'KEYWORD' };
  value: string;
}

export const searchAttributeKeys = {
  RewardId: { name: 'RewardId', type: 'KEYWORD' },
  ReferralUserId: { name: 'ReferralUserId', type: 'KEYWORD' },
  ProgramKey: { name: 'ProgramKey', type: 'KEYWORD' },
} as const satisfies Record<SearchAttributeName, KeywordSearchAttribute['key']>;

/** What a workflow is about; absent or empty values are left out. */
export interface SearchableFacts {
  rewardId?: string | null;
  userId?: string | null;
  programKey?: string | null;
}

/** The typed search attributes of a workflow about these facts. */
export function searchAttributesFor(facts: SearchableFacts): KeywordSearchAttribute[] {
  const pairs: KeywordSearchAttribute[] = [];
  if (facts.rewardId) pairs.push({ key: searchAttributeKeys.RewardId, value: facts.rewardId });
  if (facts.userId) pairs.push({ key: searchAttributeKeys.ReferralUserId, value: facts.userId });
  if (facts.programKey) pairs.push({ key: searchAttributeKeys.ProgramKey, value: facts.programKey });
  return pairs;
}

/** The Temporal UI / `client.workflow.list` query for a reward's workflows. */
export function visibilityQueryForReward(rewardId: string): string {
  return `RewardId = '${rewardId.replace(/'/g, "\\'")}'`;
}
