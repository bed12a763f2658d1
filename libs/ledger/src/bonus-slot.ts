import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import { LedgerError } from './ledger.errors';
import { actorSchema, derivedKey, externalId, parseInput, reasonSchema } from './ledger.schemas';
import { contentHash, inLedgerTransaction, queryRows } from './ledger-sql';

/**
 * Each issuance has ONE bonus slot: at most one of these items, ever. The database enforces it
 * (a unique index on the issuance over these kinds), so two concurrent claims end with one item
 * and one `slot_taken` answer whatever the code does.
 */
export const bonusLikeItemKinds = ['bonus', 'promo_first_month_50pct', 'referral_bonus'] as const;
export type BonusLikeItemKind = (typeof bonusLikeItemKinds)[number];

/** `referral_bonus` items are created only by applyRewardToIssuance (they carry the consumed reward). */
export const claimableItemKinds = ['bonus', 'promo_first_month_50pct'] as const;
export type ClaimableItemKind = (typeof claimableItemKinds)[number];

export interface IssuanceBonusItem {
  id: string;
  issuanceId: string;
  itemKind: BonusLikeItemKind;
  /** The consumed reward, for `referral_bonus` items. */
  rewardId: string | null;
  claimKey: string;
  actor: string;
  reason: string;
  claimedAt: Date;
}

interface ItemRow {
  id: string;
  issuance_id: string;
  item_kind: BonusLikeItemKind;
  reward_id: string | null;
  claim_key: string;
  content_hash: string;
  actor: string;
  reason: string;
  claimed_at: Date;
}

function toItem(row: ItemRow): IssuanceBonusItem {
  return {
    id: String(row.id),
    issuanceId: row.issuance_id,
    itemKind: row.item_kind,
    rewardId: row.reward_id === null ? null : String(row.reward_id),
    claimKey: row.claim_key,
    actor: row.actor,
    reason: row.reason,
    claimedAt: row.claimed_at,
  };
}

export interface BonusItemClaim {
  issuanceId: string;
  itemKind: BonusLikeItemKind;
  rewardId: string | null;
  claimKey: string;
  actor: string;
  reason: string;
}

export function claimContentHash(claim: Pick<BonusItemClaim, 'issuanceId' | 'itemKind' | 'rewardId'>): string {
  return contentHash({ issuanceId: claim.issuanceId, itemKind: claim.itemKind, rewardId: claim.rewardId });
}

/**
 * Inserts the item unless the slot is taken. ON CONFLICT on the slot index waits for a concurrent
 * claimer to finish: if it commits, we get no row (the slot is taken); if it rolls back, we insert.
 */
export async function insertBonusItem(
  sequelize: Sequelize,
  t: Transaction,
  claim: BonusItemClaim,
): Promise<IssuanceBonusItem | null> {
  const [row] = await queryRows<ItemRow>(
    sequelize,
    t,
    `INSERT INTO ledger_issuance_items (issuance_id, item_kind, reward_id, claim_key, content_hash, actor, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (issuance_id) WHERE item_kind IN ('bonus', 'promo_first_month_50pct', 'referral_bonus') DO NOTHING
     RETURNING *`,
    [claim.issuanceId, claim.itemKind, claim.rewardId, claim.claimKey, claimContentHash(claim), claim.actor, claim.reason],
  );
  return row ? toItem(row) : null;
}

/** The issuance's bonus-like item, if its slot is taken. */
export async function findBonusItem(
  sequelize: Sequelize,
  t: Transaction | undefined,
  issuanceId: string,
): Promise<(IssuanceBonusItem & { contentHash: string }) | null> {
  const [row] = await queryRows<ItemRow>(
    sequelize,
    t,
    `SELECT * FROM ledger_issuance_items
      WHERE issuance_id = $1 AND item_kind IN ('bonus', 'promo_first_month_50pct', 'referral_bonus')`,
    [issuanceId],
  );
  return row ? { ...toItem(row), contentHash: row.content_hash } : null;
}

const claimSchema = z.object({
  issuanceId: externalId,
  itemKind: z.enum(claimableItemKinds),
  /**
   * The claimer's idempotency key (for example the issuance-bonus workflow id plus the kind). The
   * same key with the same content is a replay; another key finding the slot taken gets `slot_taken`.
   */
  claimKey: derivedKey,
  actor: actorSchema,
  reason: reasonSchema,
});

export type ClaimBonusSlotInput = z.input<typeof claimSchema>;

export type ClaimBonusSlotResult =
  | { outcome: 'claimed'; item: IssuanceBonusItem; replayed: boolean }
  | { outcome: 'slot_taken'; issuanceId: string; heldBy: IssuanceBonusItem };

/**
 * Claims the issuance's bonus slot for a `bonus` or `promo_first_month_50pct` item. Exactly one
 * claim per issuance ever succeeds; every other claimer gets `slot_taken` with the item holding it.
 * Reusing a claim key for another issuance or kind is `exists_with_different_content`.
 */
export async function claimIssuanceBonusSlot(sequelize: Sequelize, input: ClaimBonusSlotInput): Promise<ClaimBonusSlotResult> {
  const claim = parseInput(claimSchema, input, 'claimIssuanceBonusSlot');
  const hash = claimContentHash({ ...claim, rewardId: null });
  return inLedgerTransaction(sequelize, async (t) => {
    const [previous] = await queryRows<ItemRow>(sequelize, t, 'SELECT * FROM ledger_issuance_items WHERE claim_key = $1', [
      claim.claimKey,
    ]);
    if (previous) {
      if (previous.content_hash !== hash) {
        throw new LedgerError('exists_with_different_content', `claim key ${claim.claimKey} was used for another claim`, {
          details: {
            claimKey: claim.claimKey,
            issuanceId: previous.issuance_id,
            itemKind: previous.item_kind,
          },
        });
      }
      return { outcome: 'claimed', item: toItem(previous), replayed: true };
    }
    const item = await insertBonusItem(sequelize, t, { ...claim, rewardId: null });
    if (item) return { outcome: 'claimed', item, replayed: false };
    const holder = await findBonusItem(sequelize, t, claim.issuanceId);
    if (!holder) throw new LedgerError('ledger_invariant_broken', `issuance ${claim.issuanceId}: slot neither free nor held`);
    const { contentHash: holderHash, ...heldBy } = holder;
    // A concurrent claim with our own key won the race: that is our claim, replayed.
    if (heldBy.claimKey === claim.claimKey && holderHash === hash) return { outcome: 'claimed', item: heldBy, replayed: true };
    return { outcome: 'slot_taken', issuanceId: claim.issuanceId, heldBy };
  });
}

/** Read model: the item holding an issuance's bonus slot, or null when it is free. */
export async function getIssuanceBonusItem(sequelize: Sequelize, issuanceId: string): Promise<IssuanceBonusItem | null> {
  const item = await findBonusItem(sequelize, undefined, issuanceId);
  if (!item) return null;
  const { contentHash: _hash, ...view } = item;
  return view;
}
