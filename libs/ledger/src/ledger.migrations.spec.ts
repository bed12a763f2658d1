import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateDown, migrateUp } from '@referrals/db';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '@referrals/db/testing';
import { ledgerMigrations } from './ledger.migrations';
import { rewardStatuses, rewardTransitions } from './reward-states';
import { grantRewards } from './grant-rewards';
import { grantInput } from './testing/ledger-fixtures';

async function tables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'ledger_%' ORDER BY tablename",
    { type: QueryTypes.SELECT },
  );
  return rows.map((r) => r.tablename);
}

/** Runs `sql` in its own transaction and returns the database's refusal (or undefined). */
async function refusal(sequelize: Sequelize, sql: string): Promise<string | undefined> {
  try {
    await sequelize.transaction(async (t) => {
      await sequelize.query(sql, { transaction: t });
    });
    return undefined;
  } catch (error) {
    // Sequelize words unique violations as "Validation error"; the driver's error names the index.
    const e = error as Error & { parent?: Error };
    return `${e.message} ${e.parent?.message ?? ''}`;
  }
}

describe('ledger migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ label: 'ledger_migrations', migrate: false });
  }, 60_000);
  afterAll(async () => {
    await db.drop();
  });

  it('migrate up, all the way down, and up again', async () => {
    expect(await migrateUp(db.sequelize, [ledgerMigrations])).toEqual([
      'ledger/202611211000-create-ledger-books',
      'ledger/202611211010-create-ledger-rewards',
      'ledger/202612030010-index-ledger-rewards-by-referral',
      'ledger/202612030700-create-ledger-verifications',
      'ledger/202612031000-create-ledger-issuance-outcomes',
      'ledger/202612031220-add-ledger-rewards-source-tier',
      'ledger/202612031710-ledger-allow-user-erasure',
    ]);
    expect(await tables(db.sequelize)).toHaveLength(12);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202612031710-ledger-allow-user-erasure']);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202612031220-add-ledger-rewards-source-tier']);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202612031000-create-ledger-issuance-outcomes']);
    expect(await tables(db.sequelize)).toHaveLength(11);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202612030700-create-ledger-verifications']);
    expect(await tables(db.sequelize)).toHaveLength(10);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202612030010-index-ledger-rewards-by-referral']);
    expect(await migrateDown(db.sequelize, [ledgerMigrations])).toEqual(['ledger/202611211010-create-ledger-rewards']);
    expect(await tables(db.sequelize)).toEqual(['ledger_accounts', 'ledger_entries', 'ledger_transactions']);
    expect(await migrateDown(db.sequelize, [ledgerMigrations], { to: 0 })).toHaveLength(1);
    expect(await tables(db.sequelize)).toEqual([]);
    const functions = await db.sequelize.query("SELECT proname FROM pg_proc WHERE proname LIKE 'ledger_%'", { type: QueryTypes.SELECT });
    expect(functions).toEqual([]);
    expect(await migrateUp(db.sequelize, [ledgerMigrations])).toHaveLength(7);
  });

  it('down works with data in the tables', async () => {
    await grantRewards(db.sequelize, grantInput());
    expect(await migrateDown(db.sequelize, [ledgerMigrations], { to: 0 })).toHaveLength(7);
    expect(await tables(db.sequelize)).toEqual([]);
    await migrateUp(db.sequelize, [ledgerMigrations]);
  });
});

describe('ledger schema invariants (enforced by the database, not only by code)', () => {
  const db = useTestDatabase([ledgerMigrations]);
  const accounts = `INSERT INTO ledger_accounts (id, kind, program_key, owner_id, unit, debits_must_not_exceed_credits, debits_posted_minor, credits_posted_minor)
                    VALUES (9001, 'beneficiary', 'p', 'u1', 'USD', true, 0, 0), (9002, 'program_liability', 'p', '', 'USD', false, NULL, NULL)
                    ON CONFLICT DO NOTHING`;

  beforeAll(async () => {
    await db.sequelize.query(accounts);
  });

  it('refuses a transaction whose debits and credits differ', async () => {
    const message = await refusal(
      db.sequelize,
      `WITH tx AS (INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (1, 'k1', 'h', 'x', 'USD') RETURNING id, unit)
       INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
       SELECT tx.id, v.line, v.account, tx.unit, v.side, v.amount FROM tx, (VALUES ('debit', 9002, 100, 0), ('credit', 9001, 99, 1)) AS v(side, account, amount, line)`,
    );
    expect(message).toMatch(/unbalanced/);
  });

  it('refuses a transaction without entries, or whose entries come in a later statement', async () => {
    const message = await refusal(
      db.sequelize,
      `INSERT INTO ledger_transactions (idempotency_key, content_hash, kind, unit) VALUES ('k2', 'h', 'x', 'USD')`,
    );
    expect(message).toMatch(/needs a debit and a credit/);
    expect(
      await refusal(
        db.sequelize,
        `INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (2, 'k2b', 'h', 'x', 'USD');
         INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor) VALUES (2, 0, 9002, 'USD', 'debit', 1), (2, 1, 9001, 'USD', 'credit', 1);`,
      ),
    ).toMatch(/needs a debit and a credit/);
  });

  it('refuses an entry whose unit differs from its account or transaction, or whose account does not exist', async () => {
    const message = await refusal(
      db.sequelize,
      `WITH tx AS (INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (3, 'k3', 'h', 'x', 'EUR') RETURNING id, unit)
       INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
       SELECT tx.id, v.line, v.account, tx.unit, v.side, v.amount FROM tx, (VALUES ('debit', 9002, 100, 0), ('credit', 9001, 100, 1)) AS v(side, account, amount, line)`,
    );
    expect(message).toMatch(/names account 900[12], which is in USD \(entry unit EUR\)/);
    expect(
      await refusal(
        db.sequelize,
        `WITH tx AS (INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (5, 'k5', 'h', 'x', 'EUR') RETURNING id)
         INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
         SELECT tx.id, v.line, v.account, 'USD', v.side, 100 FROM tx, (VALUES ('debit', 9002, 0), ('credit', 9001, 1)) AS v(side, account, line)`,
      ),
    ).toMatch(/entries in another unit/);
    expect(
      await refusal(
        db.sequelize,
        `WITH tx AS (INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (6, 'k6', 'h', 'x', 'USD') RETURNING id)
         INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
         SELECT tx.id, v.line, v.account, 'USD', v.side, 100 FROM tx, (VALUES ('debit', 9002, 0), ('credit', 424242, 1)) AS v(side, account, line)`,
      ),
    ).toMatch(/names account 424242, which does not exist/);
  });

  it('keeps entries and transactions immutable, and an unbalancing late entry out', async () => {
    expect(
      await refusal(
        db.sequelize,
        `WITH tx AS (INSERT INTO ledger_transactions (id, idempotency_key, content_hash, kind, unit) VALUES (4, 'k4', 'h', 'x', 'USD') RETURNING id, unit)
       INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor)
       SELECT tx.id, v.line, v.account, tx.unit, v.side, v.amount FROM tx, (VALUES ('debit', 9002, 100, 0), ('credit', 9001, 100, 1)) AS v(side, account, amount, line);
         UPDATE ledger_accounts SET credits_posted_minor = 100 WHERE id = 9001;`,
      ),
    ).toBeUndefined();
    expect(await refusal(db.sequelize, 'UPDATE ledger_entries SET amount_minor = 1 WHERE transaction_id = 4')).toMatch(/immutable/);
    expect(await refusal(db.sequelize, 'DELETE FROM ledger_entries WHERE transaction_id = 4')).toMatch(/immutable/);
    expect(await refusal(db.sequelize, "UPDATE ledger_transactions SET reason = 'x' WHERE id = 4")).toMatch(/immutable/);
    expect(await refusal(db.sequelize, 'TRUNCATE ledger_entries')).toMatch(/immutable/);
    expect(
      await refusal(
        db.sequelize,
        "INSERT INTO ledger_entries (transaction_id, line, account_id, unit, side, amount_minor) VALUES (4, 2, 9001, 'USD', 'credit', 5)",
      ),
    ).toMatch(/unbalanced/);
  });

  it('refuses to take a beneficiary account below zero, to stop tracking its totals, or to rename it', async () => {
    expect(await refusal(db.sequelize, 'UPDATE ledger_accounts SET debits_posted_minor = 101 WHERE id = 9001')).toMatch(
      /debits_must_not_exceed_credits/,
    );
    expect(await refusal(db.sequelize, 'UPDATE ledger_accounts SET debits_posted_minor = NULL, credits_posted_minor = NULL WHERE id = 9001')).toMatch(
      /only its posted totals/,
    );
    expect(await refusal(db.sequelize, "UPDATE ledger_accounts SET owner_id = 'u2' WHERE id = 9001")).toMatch(/only its posted totals/);
    expect(await refusal(db.sequelize, 'DELETE FROM ledger_accounts WHERE id = 9001')).toMatch(/never deleted/);
  });

  it('allows exactly the transition table in the database too', async () => {
    const rows = await db.sequelize.query<{ from_status: string; to_status: string }>(
      `SELECT f AS from_status, t AS to_status FROM unnest($1::text[]) f, unnest($1::text[]) t
        WHERE ledger_reward_transition_allowed(f, t) ORDER BY 1, 2`,
      { bind: [rewardStatuses], type: QueryTypes.SELECT },
    );
    const fromCode = rewardTransitions.map((t) => ({ from_status: t.from, to_status: t.to }));
    const key = (x: { from_status: string; to_status: string }) => `${x.from_status}->${x.to_status}`;
    expect(rows.map(key).sort()).toEqual(fromCode.map(key).sort());
  });

  it('refuses an illegal status change, a change of what a reward is, and deleting it', async () => {
    const { rewards } = await grantRewards(db.sequelize, grantInput());
    const id = rewards[0]?.id ?? '';
    expect(await refusal(db.sequelize, `UPDATE ledger_rewards SET status = 'reversed' WHERE id = ${id}`)).toMatch(
      /not in the transition table/,
    );
    expect(await refusal(db.sequelize, `UPDATE ledger_rewards SET amount_minor = 1 WHERE id = ${id}`)).toMatch(/only its status/);
    expect(await refusal(db.sequelize, `DELETE FROM ledger_rewards WHERE id = ${id}`)).toMatch(/never deleted/);
    expect(await refusal(db.sequelize, `UPDATE ledger_reward_events SET reason = 'x' WHERE reward_id = ${id}`)).toMatch(/immutable/);
  });

  it('holds at most one bonus-like item per issuance', async () => {
    expect(
      await refusal(
        db.sequelize,
        `INSERT INTO ledger_issuance_items (issuance_id, item_kind, claim_key, content_hash, actor, reason)
         VALUES ('iss-db-1', 'bonus', 'c1', 'h', 'a', 'r'), ('iss-db-1', 'promo_first_month_50pct', 'c2', 'h', 'a', 'r')`,
      ),
    ).toMatch(/ledger_issuance_items_one_bonus_like/);
  });

  it('lets only one adverse notice per payment act', async () => {
    expect(
      await refusal(
        db.sequelize,
        `INSERT INTO ledger_adverse_notices (notice_id, payment_id, kind, occurred_at, content_hash, first_for_payment, changes, actor, reason)
         VALUES ('n1', 'pay-db', 'refund', now(), 'h', true, '[]', 'a', 'r'), ('n2', 'pay-db', 'chargeback', now(), 'h', true, '[]', 'a', 'r')`,
      ),
    ).toMatch(/ledger_adverse_notices_first/);
  });
});
