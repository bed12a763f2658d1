import { QueryTypes } from 'sequelize';
import { useTestDatabase } from '@referrals/db/testing';
import { applyRewardToIssuance } from './apply-reward';
import { claimIssuanceBonusSlot, getIssuanceBonusItem, type ClaimBonusSlotInput } from './bonus-slot';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { daysAfter, expectLedgerSound, fixedOutcome, grantInput, T0, tableCounts, uniqueId, widePool } from './testing/ledger-fixtures';

describe('claimIssuanceBonusSlot', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  function claim(issuanceId: string, overrides: Partial<ClaimBonusSlotInput> = {}): ClaimBonusSlotInput {
    return { issuanceId, itemKind: 'bonus', claimKey: uniqueId('claim'), actor: 'workflow:issuance-bonus', reason: 'usage threshold reached', ...overrides };
  }

  async function itemsOf(issuanceId: string): Promise<number> {
    const [row] = await db.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM ledger_issuance_items WHERE issuance_id = $1', {
      bind: [issuanceId],
      type: QueryTypes.SELECT,
    });
    return Number(row?.n);
  }

  it('claims a free slot once; a retry with the same key is a replay that writes nothing', async () => {
    const issuanceId = uniqueId('iss');
    const input = claim(issuanceId);
    const first = await claimIssuanceBonusSlot(db.sequelize, input);
    expect(first).toMatchObject({ outcome: 'claimed', replayed: false, item: { issuanceId, itemKind: 'bonus', rewardId: null } });
    const before = await tableCounts(db.sequelize);
    expect(await claimIssuanceBonusSlot(db.sequelize, input)).toEqual({ ...first, replayed: true });
    expect(await tableCounts(db.sequelize)).toEqual(before);
    expect(await getIssuanceBonusItem(db.sequelize, issuanceId)).toEqual(first.outcome === 'claimed' ? first.item : null);
  });

  it('answers slot_taken, naming the holder, to any other claim of the issuance', async () => {
    const issuanceId = uniqueId('iss');
    await claimIssuanceBonusSlot(db.sequelize, claim(issuanceId, { itemKind: 'promo_first_month_50pct' }));
    for (const itemKind of ['bonus', 'promo_first_month_50pct'] as const) {
      expect(await claimIssuanceBonusSlot(db.sequelize, claim(issuanceId, { itemKind }))).toMatchObject({
        outcome: 'slot_taken',
        heldBy: { itemKind: 'promo_first_month_50pct' },
      });
    }
    expect(await itemsOf(issuanceId)).toBe(1);
  });

  it('refuses a claim key reused for another issuance or kind: exists_with_different_content', async () => {
    const input = claim(uniqueId('iss'));
    await claimIssuanceBonusSlot(db.sequelize, input);
    await expect(claimIssuanceBonusSlot(db.sequelize, { ...input, issuanceId: uniqueId('iss') })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
    await expect(claimIssuanceBonusSlot(db.sequelize, { ...input, itemKind: 'promo_first_month_50pct' })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
  });

  it('refuses referral_bonus claims: those come only from applying a reward', async () => {
    await expect(claimIssuanceBonusSlot(db.sequelize, claim(uniqueId('iss'), { itemKind: 'referral_bonus' as never }))).rejects.toMatchObject({
      code: 'input_invalid',
    });
  });

  it('gives two concurrent claims on one issuance one item and one slot_taken', async () => {
    const pool = widePool(db.databaseUrl, 2);
    try {
      for (let round = 0; round < 5; round++) {
        const issuanceId = uniqueId('iss');
        const results = await Promise.all([
          claimIssuanceBonusSlot(pool, claim(issuanceId, { itemKind: 'bonus' })),
          claimIssuanceBonusSlot(pool, claim(issuanceId, { itemKind: 'promo_first_month_50pct' })),
        ]);
        expect(results.map((r) => r.outcome).sort()).toEqual(['claimed', 'slot_taken']);
        expect(await itemsOf(issuanceId)).toBe(1);
      }
    } finally {
      await pool.close();
    }
  });

  it('gives the same claim sent twice concurrently one item, both answered claimed', async () => {
    const pool = widePool(db.databaseUrl, 2);
    try {
      const input = claim(uniqueId('iss'));
      const results = await Promise.all([claimIssuanceBonusSlot(pool, input), claimIssuanceBonusSlot(pool, input)]);
      expect(results.map((r) => r.outcome)).toEqual(['claimed', 'claimed']);
      expect(await itemsOf(input.issuanceId)).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('lets a referral reward application and a bonus claim race for one slot: exactly one wins', async () => {
    const pool = widePool(db.databaseUrl, 2);
    try {
      for (let round = 0; round < 5; round++) {
        const user = uniqueId('user');
        await grantRewards(db.sequelize, grantInput({ refereeId: user, outcomes: [fixedOutcome('referee')] }));
        const issuanceId = uniqueId('iss');
        const [applied, claimed] = await Promise.all([
          applyRewardToIssuance(pool, {
            issuanceId,
            beneficiaryId: user,
            product: 'kilo_pass',
            issuanceCreatedAt: daysAfter(T0, 30),
            asOf: daysAfter(T0, 30),
            actor: 'workflow',
          }),
          claimIssuanceBonusSlot(pool, claim(issuanceId)),
        ]);
        expect([applied.outcome, claimed.outcome].sort()).toEqual(
          applied.outcome === 'applied' ? ['applied', 'slot_taken'] : ['claimed', 'slot_taken'],
        );
        expect(await itemsOf(issuanceId)).toBe(1);
      }
    } finally {
      await pool.close();
    }
  });
});
