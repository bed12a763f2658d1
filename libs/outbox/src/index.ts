// The public API of @referrals/outbox.
export { outboxMigrations } from './outbox.migrations';
export {
  dedupeKeyOf,
  enqueueWork,
  outboxBacklog,
  listOutboxMessages,
  outboxMessagesOf,
  outboxWrite,
  queuedWorks,
  type QueuedWork,
  type OutboxBacklog,
  type OutboxMessage,
  type OutboxWork,
  type RelayOutcome,
  type WorkflowCallOptions,
} from './outbox-messages';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions, type WorkflowStarterClient } from './outbox-relay';
export { finishScheduleRun, getScheduleRun, queueScheduleRun, type ScheduleRun } from './schedule-runs';
export { eraseUserOutbox } from './user-erasure';
