// The public API of @referrals/impact-sync. Everything else in src/ is internal.

export { impactSyncMigrations } from './impact-sync.migrations';
export { ImpactSyncError, impactSyncErrorCatalog, impactSyncErrorCodes, isImpactSyncError, type ImpactSyncErrorCode } from './impact-sync.errors';
export {
  attemptOutcomes,
  deliveryCategories,
  deliveryKinds,
  deliveryStatuses,
  isTerminalDeliveryStatus,
  terminalDeliveryStatuses,
  type AttemptOutcome,
  type DeliveryKind,
  type DeliveryStatus,
  type TerminalDeliveryStatus,
} from './delivery-states';
export { deliveryBusinessIds, deliveryKeys, deliveryRequestId, REQUEST_ID_MAX_LENGTH, type SaleRef } from './delivery-keys';
export {
  BUSINESS_ID_MAX_LENGTH,
  endsDelivery,
  ensureDelivery,
  getDelivery,
  recordChosenImpactReward,
  recordDeliveryAttempt,
  recordSuppressedDelivery,
  requeueDelivery,
  type Delivery,
  type DeliveryError,
  type DeliveryRef,
  type EnsureDeliveryInput,
  type EnsureDeliveryResult,
  type RecordAttemptInput,
  type RecordAttemptResult,
  type RecordChosenRewardInput,
  type RecordChosenRewardResult,
  type RecordSuppressedInput,
} from './deliveries';
export {
  getParticipantRegistration,
  recordParticipantRegistration,
  type ParticipantRegistration,
  type RecordParticipantInput,
} from './participants';
export { participantRequestOf, saveParticipantRequest, type ParticipantRequest } from './participant-requests';
export { saleRequestOf, saleRequestWrite, type SaleRequest } from './sale-requests';
export {
  countDeliveries,
  findWorkWithoutDelivery,
  listChosenImpactRewardIds,
  listDeliveries,
  listDeliveryAttempts,
  type DeliveryAttempt,
  type DeliveryCounts,
  type DeliveryOverview,
  type ListDeliveriesFilter,
} from './read-models';
export { eraseUserImpactSync, storedEmailsOfUser } from './user-erasure';
