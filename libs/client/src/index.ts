export {
  createReferralsClient,
  ok,
  ReferralsApiError,
  type ReferralsClient,
  type ReferralsClientOptions,
  type RetryNotice,
  type RetryPolicy,
} from './client';
export { retryAfterMs } from './retry-after';
export type { components, operations, paths } from './generated/api';
