import { type Sequelize, type Transaction } from 'sequelize';
import { z } from 'zod';
import {
  accountKeyOf,
  accountRefOf,
  type AccountKey,
  type AccountRef,
  ensureAccounts,
} from './accounts';
import { LedgerError } from './ledger.errors';
import {
  actorSchema,
  amountMinorSchema,
  externalId,
  externalIdsSchema,
  parseInput,
  programKeySchema,
  reasonSchema,
  unitSchema,
} from './ledger.schemas';
import { inLedgerTransaction, queryRows, safeInteger, sha256Hex } from './ledger-sql';

export type EntrySide = 'debit' | 'credit';

/** One leg of a posting, as the ledger's own operations build it. */
export interface Leg {
  account: AccountKey;
  side: EntrySide;
  amountMinor: number;
}

/** A transaction to write: balanced legs in one unit under an idempotency key. */
export interface Posting {
  idempotencyKey: string;
  kind: string;
  unit: string;
  rewardId: string | null;
  reason: string;
  externalIds: Readonly<Record<string, string>>;
  legs: readonly Leg[];
}

/** Keys of reward postings are derived (`reward:<id>:<step>`); callers may not forge them. */
export const REWARD_KEY_PREFIX = 'reward:';

export function rewardPostingKey(rewardId: string, step: string): string {
  return `${REWARD_KEY_PREFIX}${rewardId}:${step}`;
}

/**
 * The code-side twin of the database's balance trigger: at least two legs, positive safe-integer
 * amounts, one unit, debits equal to credits. Sums are exact (BigInt), so even amounts near 2^53
 * cannot overflow into a false "balanced".
 */
export function assertBalanced(posting: Posting): void {
  if (posting.legs.length < 2) {
    throw new LedgerError('transaction_must_have_two_entries', 'a transaction needs at least one debit and one credit', {
      details: {
        idempotencyKey: posting.idempotencyKey,
      },
    });
  }
  let debits = 0n;
  let credits = 0n;
  for (const leg of posting.legs) {
    if (!Number.isSafeInteger(leg.amountMinor) || leg.amountMinor <= 0) {
      throw new LedgerError('input_invalid', `entry amount ${leg.amountMinor} is not a positive safe integer`, {
        details: {
          idempotencyKey: posting.idempotencyKey,
        },
      });
    }
    if (leg.account.unit !== posting.unit) {
      throw new LedgerError('ledger_invariant_broken', `an entry in ${leg.account.unit} cannot join a ${posting.unit} transaction`);
    }
    if (leg.side === 'debit') debits += BigInt(leg.amountMinor);
    else credits += BigInt(leg.amountMinor);
  }
  if (debits !== credits) {
    throw new LedgerError('debits_must_equal_credits', `debits ${debits} do not equal credits ${credits}`, {
      details: {
        idempotencyKey: posting.idempotencyKey,
        debitsMinor: debits.toString(),
        creditsMinor: credits.toString(),
      },
    });
  }
}

export function postingHash(posting: Pick<Posting, 'kind' | 'unit' | 'rewardId' | 'reason' | 'externalIds' | 'legs'>): string {
  const externalIds = Object.keys(posting.externalIds)
    .sort()
    .map((k) => [k, posting.externalIds[k]]);
  return sha256Hex(
    JSON.stringify([
      'posting/1',
      posting.kind,
      posting.unit,
      posting.rewardId,
      posting.reason,
      externalIds,
      posting.legs.map((l) => [l.account.kind, l.account.program_key, l.account.owner_id, l.side, l.amountMinor]),
    ]),
  );
}

/** Legs as entriesCtes reads them, tied to their transaction by `ref`. */
export function legRows(ref: string, legs: readonly Leg[]): object[] {
  return legs.map((l, ord) => ({ ref, ...l.account, side: l.side, amount_minor: l.amountMinor, ord }));
}

/**
 * CTEs shared by every statement that posts. Given `new_txs(id, ref)` (the transactions just
 * inserted), the relation `legs` (rows of legRows: ref, account key, side, amount_minor, ord) and
 * the relation `accounts` (id and natural key of every account the legs name), insert the entries
 * in leg order and add them to the posted totals of tracked accounts that existed before the
 * statement, whose CHECK floors then apply under the row lock. (A statement cannot update rows it
 * inserted itself: an account created by the same statement must be created with its totals.)
 */
export function entriesCtes(legs: string, accounts: string): string {
  return `entries AS (
       INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
       SELECT n.id, l.ord, a.id, l.unit, l.side, l.amount_minor
         FROM ${legs} l
         JOIN new_txs n ON n.ref = l.ref
         JOIN ${accounts} a
           ON a.kind = l.kind AND a.program_key = l.program_key AND a.owner_id = l.owner_id AND a.unit = l.unit
        ORDER BY n.id, l.ord
       RETURNING transaction_id, account_id, side, amount_minor
     ), totals AS (
       -- Ordered by account id, so two transactions updating the same accounts lock them in the
       -- same order (no deadlock in the usual plans; a deadlock would be retried anyway).
       UPDATE ledger_accounts a
          SET debits_posted_minor = a.debits_posted_minor + s.debits,
              credits_posted_minor = a.credits_posted_minor + s.credits
         FROM (SELECT account_id,
                      coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0) AS debits,
                      coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0) AS credits
                 FROM entries GROUP BY account_id ORDER BY account_id) s
        WHERE a.id = s.account_id AND a.debits_posted_minor IS NOT NULL
       RETURNING a.id
     )`;
}

/** Columns of a legs relation read from JSON rows of legRows. */
export const LEG_COLUMNS =
  'ref text, kind text, program_key text, owner_id text, unit text, side text, amount_minor bigint, ord int';

/**
 * Writes postings in ONE statement: transactions (skipping keys that exist), their entries, and
 * the running totals of tracked accounts (whose CHECK floors then apply under the row lock). The
 * accounts must exist already (ensureAccounts in an earlier statement of the same transaction).
 * Returns, per posting, its transaction id and whether it was written now or existed with the same
 * content; an existing key with other content is `exists_with_different_content`.
 */
export async function postTransactions(
  sequelize: Sequelize,
  t: Transaction,
  postings: readonly Posting[],
): Promise<{ id: string; idempotencyKey: string; created: boolean }[]> {
  if (postings.length === 0) return [];
  const hashes = postings.map(postingHash);
  postings.forEach(assertBalanced);
  const header = postings.map((p, i) => ({
    idempotency_key: p.idempotencyKey,
    content_hash: hashes[i],
    kind: p.kind,
    unit: p.unit,
    reward_id: p.rewardId,
    reason: p.reason,
    external_ids: p.externalIds,
  }));
  const legs = postings.flatMap((p) => legRows(p.idempotencyKey, p.legs));
  const written = await queryRows<{ id: string; idempotency_key: string; entry_count: string }>(
    sequelize,
    t,
    `WITH p AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS p(idempotency_key text, content_hash text, kind text, unit text, reward_id bigint, reason text, external_ids jsonb)
     ), txs AS (
       INSERT INTO ledger_transactions (idempotency_key, content_hash, kind, unit, reward_id, reason, external_ids)
       SELECT idempotency_key, content_hash, kind, unit, reward_id, reason, external_ids FROM p
       ON CONFLICT ON CONSTRAINT ledger_transactions_idempotency_key DO NOTHING
       RETURNING id, idempotency_key
     ), new_txs AS (
       SELECT id, idempotency_key AS ref FROM txs
     ), json_legs AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS l(${LEG_COLUMNS})
     ), ${entriesCtes('json_legs', 'ledger_accounts')}
     SELECT txs.id, txs.idempotency_key, (SELECT count(*) FROM entries e WHERE e.transaction_id = txs.id) AS entry_count
       FROM txs`,
    [JSON.stringify(header), JSON.stringify(legs)],
  );
  const byKey = new Map(written.map((w) => [w.idempotency_key, w]));
  const results: { id: string; idempotencyKey: string; created: boolean }[] = [];
  const missing: string[] = [];
  for (const posting of postings) {
    const row = byKey.get(posting.idempotencyKey);
    if (!row) {
      missing.push(posting.idempotencyKey);
      continue;
    }
    if (Number(row.entry_count) !== posting.legs.length) {
      throw new LedgerError('ledger_invariant_broken', `posting ${posting.idempotencyKey}: an account does not exist`);
    }
    results.push({ id: String(row.id), idempotencyKey: posting.idempotencyKey, created: true });
  }
  if (missing.length > 0) {
    const existing = await queryRows<{ id: string; idempotency_key: string; content_hash: string }>(
      sequelize,
      t,
      'SELECT id, idempotency_key, content_hash FROM ledger_transactions WHERE idempotency_key = ANY($1::text[])',
      [missing],
    );
    for (const key of missing) {
      const row = existing.find((e) => e.idempotency_key === key);
      const posting = postings.find((p) => p.idempotencyKey === key);
      const hash = posting ? hashes[postings.indexOf(posting)] : undefined;
      if (!row) throw new LedgerError('ledger_invariant_broken', `posting ${key} was neither written nor found`);
      if (row.content_hash !== hash) {
        throw new LedgerError(
          'exists_with_different_content',
          `idempotency key ${key} was first used for a different transaction`,
          { details: { idempotencyKey: key, transactionId: String(row.id) } },
        );
      }
      results.push({ id: String(row.id), idempotencyKey: key, created: false });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Public: caller-chosen transactions (corrections, manual adjustments).

const accountRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('beneficiary'), programKey: programKeySchema, beneficiaryId: externalId }),
  z.object({ kind: z.enum(['program_liability', 'applied', 'expired', 'reversed']), programKey: programKeySchema }),
]);

const postTransactionSchema = z.object({
  idempotencyKey: externalId.refine((k) => !k.startsWith(REWARD_KEY_PREFIX), {
    message: `must not start with "${REWARD_KEY_PREFIX}" (reserved for reward operations)`,
  }),
  /** What kind of movement, snake_case (`correction`, `goodwill_credit`). */
  kind: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be snake_case'),
  unit: unitSchema,
  reason: reasonSchema,
  actor: actorSchema,
  externalIds: externalIdsSchema.default({}),
  entries: z
    .array(z.object({ account: accountRefSchema, side: z.enum(['debit', 'credit']), amountMinor: amountMinorSchema }))
    .max(100),
});

export type PostTransactionInput = z.input<typeof postTransactionSchema>;

export interface PostedEntry {
  account: AccountRef;
  side: EntrySide;
  amountMinor: number;
}

export interface PostedTransaction {
  id: string;
  idempotencyKey: string;
  kind: string;
  unit: string;
  rewardId: string | null;
  reason: string;
  externalIds: Record<string, string>;
  createdAt: Date;
  entries: PostedEntry[];
  /** True when the key had already been posted with this content: nothing was written now. */
  replayed: boolean;
}

/**
 * Posts a caller-chosen transaction (a correction is a new transaction, never an edit). The same
 * key with the same content returns the original transaction and writes nothing; with other
 * content it is `exists_with_different_content`. Debiting a beneficiary account past its credits
 * is `exceeds_credits`.
 */
export async function postTransaction(sequelize: Sequelize, input: PostTransactionInput): Promise<PostedTransaction> {
  const parsed = parseInput(postTransactionSchema, input, 'postTransaction');
  const posting: Posting = {
    idempotencyKey: parsed.idempotencyKey,
    kind: parsed.kind,
    unit: parsed.unit,
    rewardId: null,
    reason: parsed.reason,
    externalIds: { ...parsed.externalIds, actor: parsed.actor },
    legs: parsed.entries.map((e) => ({ account: accountKeyOf(e.account, parsed.unit), side: e.side, amountMinor: e.amountMinor })),
  };
  assertBalanced(posting);
  return inLedgerTransaction(sequelize, async (t) => {
    // Replays first: a replay must write nothing, not even a missing account.
    const existing = await queryRows<{ id: string }>(
      sequelize,
      t,
      'SELECT id FROM ledger_transactions WHERE idempotency_key = $1',
      [posting.idempotencyKey],
    );
    if (existing.length === 0) await ensureAccounts(sequelize, t, posting.legs.map((l) => l.account));
    const [result] = await postTransactions(sequelize, t, [posting]);
    if (!result) throw new LedgerError('ledger_invariant_broken', 'posting returned no result');
    return readTransaction(sequelize, t, result.id, !result.created);
  });
}

/** One transaction with its entries, as stored. */
export async function readTransaction(
  sequelize: Sequelize,
  t: Transaction | undefined,
  id: string,
  replayed = false,
): Promise<PostedTransaction> {
  const rows = await queryRows<{
    id: string;
    idempotency_key: string;
    kind: string;
    unit: string;
    reward_id: string | null;
    reason: string;
    external_ids: Record<string, string>;
    created_at: Date;
    account_kind: AccountKey['kind'];
    program_key: string;
    owner_id: string;
    side: EntrySide;
    amount_minor: string;
  }>(
    sequelize,
    t,
    `SELECT tx.id, tx.idempotency_key, tx.kind, tx.unit, tx.reward_id, tx.reason, tx.external_ids, tx.created_at,
            a.kind AS account_kind, a.program_key, a.owner_id, e.side, e.amount_minor
       FROM ledger_transactions tx
       JOIN ledger_entries e ON e.transaction_id = tx.id
       JOIN ledger_accounts a ON a.id = e.account_id
      WHERE tx.id = $1
      ORDER BY e.line`,
    [id],
  );
  const [first] = rows;
  if (!first) throw new LedgerError('ledger_invariant_broken', `transaction ${id} has no entries`);
  return {
    id: String(first.id),
    idempotencyKey: first.idempotency_key,
    kind: first.kind,
    unit: first.unit,
    rewardId: first.reward_id === null ? null : String(first.reward_id),
    reason: first.reason,
    externalIds: first.external_ids,
    createdAt: first.created_at,
    entries: rows.map((r) => ({
      account: accountRefOf({ kind: r.account_kind, program_key: r.program_key, owner_id: r.owner_id, unit: r.unit }),
      side: r.side,
      amountMinor: safeInteger(r.amount_minor, 'entry amount'),
    })),
    replayed,
  };
}
