/** The one task queue the worker serves; api starts workflows on it. */
export const TASK_QUEUE = 'referrals';
