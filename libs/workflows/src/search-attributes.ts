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
