import { eraseUserAttribution, listUserErasures, normalizeEmail as defaultNormalizeEmail, recordUserErasure, writeDeletionTombstones, type UserErasureAudit } from '@referrals/attribution';
import { eraseUserIdempotentAnswers } from '@referrals/db';
import { eraseUserImpactSync, storedEmailsOfUser } from '@referrals/impact-sync';
import { pseudonymizeLedgerUser } from '@referrals/ledger';
import { eraseUserOutbox } from '@referrals/outbox';
import { allowErasureInTransaction, erasedUserPseudonym, type ErasureCounts, lockBusinessKey, type UserErasureInput } from '@referrals/sql';
import { type Sequelize, type Transaction } from 'sequelize';
import { eraseUserDecisionRecords } from './decision-record-erasure';

/**
 * One erasure step per table-owning lib: each knows its own tables and what of them must go
 * (deleted) or stay without the person (anonymized: the pseudonym instead of the id). A lib that
 * adds a table holding user data adds its rows to its step, or a new step here.
 */
type ErasureStep = (sequelize: Sequelize, transaction: Transaction, input: UserErasureInput) => Promise<ErasureCounts>;
const ERASURE_STEPS: readonly ErasureStep[] = [
  eraseUserAttribution, // touches, signups, referrals, conversions, subscription payments, codes
  eraseUserImpactSync, // Advocate participants, queued requests (emails, cookies, click ids), deliveries
  pseudonymizeLedgerUser, // accounts, rewards, caps, issuances: amounts stay, ids become the pseudonym
  eraseUserOutbox, // Temporal work naming the user
  eraseUserIdempotentAnswers, // stored answers to retried requests
  eraseUserDecisionRecords, // rewarding's decision records: kept, the user's id replaced by the pseudonym
];

export interface UserErasureDeps {
  readonly sequelize: Sequelize;
  /** The tombstone secret (EMAIL_HASH_SECRET): keys the email digests and the user's pseudonym. */
  readonly emailHashSecret: string;
  readonly normalizeEmail?: (email: string) => string;
  readonly clock?: () => Date;
}

export interface EraseUserInput {
  readonly userId: string;
  /** Who asks (`operator:jane`), kept in the audit. */
  readonly requestedBy: string;
  /** Why (the data subject's request, a ticket), kept in the audit. */
  readonly reason: string;
  /** Emails of the account the host knows and the engine may not (each gets a tombstone too). */
  readonly emails?: readonly string[];
}

export interface UserErasure {
  /** `erased:<hmac>`: what the ledger and the delivery records hold instead of the user id. */
  readonly pseudonym: string;
  /** Per table: rows deleted and rows anonymized by THIS call (all zero when nothing was left). */
  readonly tables: ErasureCounts;
  /** Deleted-account digests written by this call (0 when every email had one). */
  readonly tombstonesWritten: number;
  /** The audit row of this call; null when it changed nothing (nothing is written then). */
  readonly erasure: UserErasureAudit | null;
  /** Earlier erasures of the same user (a repeated erase finds them), oldest first. */
  readonly previousErasures: readonly UserErasureAudit[];
}

/**
 * Erases a user (GDPR deletion; issue 15, Kilo rules 64-67, 164-168) in ONE transaction: every
 * lib's step deletes or anonymizes its rows, the deleted-account digest of every email the engine
 * held (or the operator gave) is written, and an audit row records who, why, when and the counts,
 * with the pseudonym, never the id or an email. Idempotent: a second call finds nothing left,
 * writes nothing and answers the earlier erasure; an unknown user is nothing to do.
 */
export async function eraseUser(deps: UserErasureDeps, input: EraseUserInput): Promise<UserErasure> {
  const pseudonym = erasedUserPseudonym(deps.emailHashSecret, input.userId);
  const now = (deps.clock ?? (() => new Date()))();
  return deps.sequelize.transaction(async (t) => {
    // Two erasures of the same user run one after the other (the second finds nothing).
    await lockBusinessKey(deps.sequelize, t, `user-erasure:${input.userId}`);
    await allowErasureInTransaction(deps.sequelize, t);
    const emails = [...new Set([...(await storedEmailsOfUser(deps.sequelize, t, input.userId)), ...(input.emails ?? [])])];
    const stepInput: UserErasureInput = { userId: input.userId, pseudonym, emails };
    const tables: Record<string, { deleted: number; anonymized: number }> = {};
    for (const step of ERASURE_STEPS) Object.assign(tables, await step(deps.sequelize, t, stepInput));
    const tombstonesWritten = await writeDeletionTombstones(
      deps.sequelize,
      t,
      { emailHashSecret: deps.emailHashSecret, normalizeEmail: deps.normalizeEmail ?? defaultNormalizeEmail, now },
      emails,
    );
    const previousErasures = await listUserErasures(deps.sequelize, t, pseudonym);
    const changed = tombstonesWritten > 0 || Object.values(tables).some((c) => c.deleted + c.anonymized > 0);
    const erasure = changed
      ? await recordUserErasure(deps.sequelize, t, { pseudonym, requestedBy: input.requestedBy, reason: input.reason, counts: tables, now })
      : null;
    return { pseudonym, tables, tombstonesWritten, erasure, previousErasures };
  });
}

/**
 * A deletion made elsewhere (the host deleted an account the engine may never have seen): the
 * email's deleted-account digest, so the tombstone rule holds for it. The plain email is hashed
 * here and never stored. Idempotent: answers whether the digest was new.
 */
export async function recordAccountDeletionElsewhere(deps: UserErasureDeps, email: string): Promise<{ recorded: boolean }> {
  const now = (deps.clock ?? (() => new Date()))();
  const written = await writeDeletionTombstones(
    deps.sequelize,
    undefined,
    { emailHashSecret: deps.emailHashSecret, normalizeEmail: deps.normalizeEmail ?? defaultNormalizeEmail, now },
    [email],
  );
  return { recorded: written > 0 };
}
