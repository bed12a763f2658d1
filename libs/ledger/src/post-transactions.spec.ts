import { useTestDatabase } from '@referrals/db/testing';
import { isLedgerError, type LedgerErrorCode } from './ledger.errors';
import { ledgerMigrations } from './ledger.migrations';
import { postTransaction, type PostTransactionInput } from './post-transactions';
import { getBeneficiaryBalances } from './read-models';
import { expectLedgerSound, tableCounts, uniqueId, defined } from './testing/ledger-fixtures';

async function codeOf(promise: Promise<unknown>): Promise<LedgerErrorCode | 'no error'> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    if (isLedgerError(error)) return error.code;
    throw error;
  }
}

function credit(beneficiaryId: string, amountMinor: number, overrides: Partial<PostTransactionInput> = {}): PostTransactionInput {
  return {
    idempotencyKey: uniqueId('correction'),
    kind: 'correction',
    unit: 'USD',
    reason: 'support goodwill credit, ticket 123',
    actor: 'operator:alice',
    entries: [
      { account: { kind: 'program_liability', programKey: 'kilo-pass' }, side: 'debit', amountMinor },
      { account: { kind: 'beneficiary', programKey: 'kilo-pass', beneficiaryId }, side: 'credit', amountMinor },
    ],
    ...overrides,
  };
}

describe('postTransaction', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  it('posts balanced entries and moves the beneficiary balance', async () => {
    const user = uniqueId('user');
    const posted = await postTransaction(db.sequelize, credit(user, 500));
    expect(posted).toMatchObject({ kind: 'correction', unit: 'USD', replayed: false });
    expect(posted.entries).toEqual([
      { account: { kind: 'program_liability', programKey: 'kilo-pass' }, side: 'debit', amountMinor: 500 },
      { account: { kind: 'beneficiary', programKey: 'kilo-pass', beneficiaryId: user }, side: 'credit', amountMinor: 500 },
    ]);
    expect(await getBeneficiaryBalances(db.sequelize, user)).toEqual([
      { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 500, openRewards: 0 },
    ]);
  });

  it('returns the original transaction for a retry with the same key and content, writing nothing', async () => {
    const input = credit(uniqueId('user'), 700);
    const first = await postTransaction(db.sequelize, input);
    const before = await tableCounts(db.sequelize);
    const retries = await Promise.all([1, 2, 3].map(() => postTransaction(db.sequelize, input)));
    for (const retry of retries) expect(retry).toEqual({ ...first, replayed: true });
    expect(await tableCounts(db.sequelize)).toEqual(before);
  });

  it('refuses the same key with other content: exists_with_different_content', async () => {
    const input = credit(uniqueId('user'), 700);
    await postTransaction(db.sequelize, input);
    expect(await codeOf(postTransaction(db.sequelize, credit(uniqueId('user'), 700, { idempotencyKey: input.idempotencyKey })))).toBe(
      'exists_with_different_content',
    );
    expect(await codeOf(postTransaction(db.sequelize, { ...input, reason: 'another reason' }))).toBe('exists_with_different_content');
  });

  it('refuses entries that do not balance: debits_must_equal_credits', async () => {
    const input = credit(uniqueId('user'), 100);
    const [debit] = input.entries;
    expect(await codeOf(postTransaction(db.sequelize, { ...input, entries: [defined(debit), { ...defined(input.entries[1]), amountMinor: 99 }] }))).toBe(
      'debits_must_equal_credits',
    );
  });

  it('refuses a debit that would take a beneficiary below zero: exceeds_credits, retryable', async () => {
    const user = uniqueId('user');
    await postTransaction(db.sequelize, credit(user, 300));
    const overdraw = credit(user, 301);
    overdraw.entries = overdraw.entries.map((e) => ({ ...e, side: e.side === 'debit' ? 'credit' : 'debit' }));
    const before = await tableCounts(db.sequelize);
    await expect(postTransaction(db.sequelize, overdraw)).rejects.toMatchObject({ code: 'exceeds_credits', retryable: true });
    // The refusal came from the database mid-statement: the whole transaction rolled back.
    expect(await tableCounts(db.sequelize)).toEqual(before);
    const exact = credit(user, 300);
    exact.entries = exact.entries.map((e) => ({ ...e, side: e.side === 'debit' ? 'credit' : 'debit' }));
    await postTransaction(db.sequelize, exact);
    expect((await getBeneficiaryBalances(db.sequelize, user))[0]?.balanceMinor).toBe(0);
  });

  it.each([
    ['a float amount', 10.5],
    ['zero', 0],
    ['a negative amount', -5],
    ['an amount past 2^53', 2 ** 53],
    ['NaN', Number.NaN],
  ])('refuses %s: input_invalid', async (_label, amountMinor) => {
    const input = credit(uniqueId('user'), 1);
    input.entries = input.entries.map((e) => ({ ...e, amountMinor }));
    await expect(postTransaction(db.sequelize, input)).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('keeps amounts near 2^53 exact', async () => {
    const user = uniqueId('user');
    const big = Number.MAX_SAFE_INTEGER;
    await postTransaction(db.sequelize, credit(user, big));
    expect((await getBeneficiaryBalances(db.sequelize, user))[0]?.balanceMinor).toBe(big);
  });

  it('refuses keys reserved for reward operations and single-entry transactions', async () => {
    await expect(postTransaction(db.sequelize, credit(uniqueId('user'), 1, { idempotencyKey: 'reward:1:grant' }))).rejects.toMatchObject({
      code: 'input_invalid',
    });
    const input = credit(uniqueId('user'), 1);
    await expect(postTransaction(db.sequelize, { ...input, entries: input.entries.slice(0, 1) })).rejects.toMatchObject({
      code: 'transaction_must_have_two_entries',
    });
  });

  it('supports several legs and non-currency units', async () => {
    const [a, b] = [uniqueId('user'), uniqueId('user')];
    const posted = await postTransaction(db.sequelize, {
      idempotencyKey: uniqueId('split'),
      kind: 'goodwill_credit',
      unit: 'credit',
      reason: 'outage compensation',
      actor: 'operator:bob',
      entries: [
        { account: { kind: 'program_liability', programKey: 'cbr-student' }, side: 'debit', amountMinor: 30 },
        { account: { kind: 'beneficiary', programKey: 'cbr-student', beneficiaryId: a }, side: 'credit', amountMinor: 10 },
        { account: { kind: 'beneficiary', programKey: 'cbr-student', beneficiaryId: b }, side: 'credit', amountMinor: 20 },
      ],
    });
    expect(posted.entries).toHaveLength(3);
    expect((await getBeneficiaryBalances(db.sequelize, b))[0]).toMatchObject({ unit: 'credit', balanceMinor: 20 });
  });
});
