/**
 * Compile-time checks that the names @referrals/workflows spells out (it may not pull the domain
 * libs' sources into the workflow sandbox) equal the domain libs' own. `npm run typecheck` fails
 * when one side changes without the other.
 */
import type { DeliveryKind, DeliveryStatus } from '@referrals/impact-sync';
import type { AdversePaymentKind, BonusLikeItemKind, ClaimableItemKind } from '@referrals/ledger';
import type * as workflows from '@referrals/workflows';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type ContractTypesAgree = [
  Assert<Equal<workflows.BonusLikeItemKind, BonusLikeItemKind>>,
  Assert<Equal<workflows.ClaimableItemKind, ClaimableItemKind>>,
  Assert<Equal<workflows.DeliveryKind, DeliveryKind>>,
  Assert<Equal<workflows.DeliveryStatus, DeliveryStatus>>,
  Assert<Equal<workflows.AdversePaymentKindName, AdversePaymentKind>>,
];
