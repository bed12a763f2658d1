export { TASK_QUEUE } from './task-queue';
export { SEARCH_ATTRIBUTES, type SearchAttributeName } from './search-attributes';
export { workflowIds } from './workflow-ids';
export { type StackCheckActivities, type WorkerActivities } from './activities.contract';
export type { StackCheckResult } from './workflows/stack-check.workflow';
