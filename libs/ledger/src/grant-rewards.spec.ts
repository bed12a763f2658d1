import { QueryTypes } from 'sequelize';
import { useTestDatabase } from '@referrals/db/testing';
import { recordAdversePayment } from './adverse-payments';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getBeneficiaryBalances, getRewardHistory, listRewards } from './read-models';
import {
  daysAfter,
  expectLedgerSound,
  fixedOutcome,
  grantInput,
  T0,
  tableCounts,
  uniqueId,
  widePool, defined } from './testing/ledger-fixtures';

describe('grantRewards', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  it('[118] records the source tier on both rewards, lists them by their conversion, and never lets the tier change', async () => {
    const input = grantInput({ sourceTier: 'tier_199' });
    const { rewards } = await grantRewards(db.sequelize, input);
    expect(rewards.map((r) => r.sourceTier)).toEqual(['tier_199', 'tier_199']);
    const listed = await listRewards(db.sequelize, { sourceConversionId: input.conversionId });
    expect(listed.map((r) => [r.id, r.sourceTier])).toEqual(rewards.map((r) => [r.id, 'tier_199']));
    await expect(
      db.sequelize.query('UPDATE ledger_rewards SET source_tier = $1 WHERE id = $2', { bind: ['tier_19', rewards[0]?.id] }),
    ).rejects.toThrow(/source tier never changes/);
    expect((await grantRewards(db.sequelize, grantInput())).rewards.map((r) => r.sourceTier)).toEqual([null, null]);
  });

  it('grants both roles of one conversion in one go, booking each amount to its beneficiary', async () => {
    const input = grantInput();
    const result = await grantRewards(db.sequelize, input);
    expect(result.replayed).toBe(false);
    expect(result.rewards).toEqual([
      expect.objectContaining({
        role: 'referrer',
        beneficiaryId: input.referrerId,
        status: 'pending',
        kind: 'fixed',
        amountMinor: 2450,
        unit: 'USD',
        programKey: 'kilo-pass',
        programVersion: 3,
        sourceConversionId: input.conversionId,
        sourceReferralId: input.referralId,
        earnedAt: T0,
        expiresAt: daysAfter(T0, 365),
        referrerCap: 5,
        consumedByIssuanceId: null,
      }),
      expect.objectContaining({ role: 'referee', beneficiaryId: input.refereeId, status: 'pending', referrerCap: null }),
    ]);
    expect(await getBeneficiaryBalances(db.sequelize, input.referrerId)).toEqual([
      { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 2450, openRewards: 1 },
    ]);
    const history = await getRewardHistory(db.sequelize, defined(result.rewards[1]).id);
    expect(history.events).toEqual([
      expect.objectContaining({
        fromStatus: null,
        toStatus: 'pending',
        operation: 'grant',
        actor: 'test:grant',
        externalIds: { conversion_id: input.conversionId, referral_id: input.referralId, program_version: '3' },
      }),
    ]);
    expect(history.transactions).toEqual([
      expect.objectContaining({
        kind: 'reward_grant',
        entries: [
          { account: { kind: 'program_liability', programKey: 'kilo-pass' }, side: 'debit', amountMinor: 2450 },
          { account: { kind: 'beneficiary', programKey: 'kilo-pass', beneficiaryId: input.refereeId }, side: 'credit', amountMinor: 2450 },
        ],
      }),
    ]);
  });

  it('records percent rewards with their exact rate and base', async () => {
    const input = grantInput({
      outcomes: [fixedOutcome('referee', { kind: 'percent', percent: '12.5', baseMinor: 4900, amountMinor: 613 })],
    });
    const [reward] = (await grantRewards(db.sequelize, input)).rewards;
    expect(reward).toMatchObject({ kind: 'percent', percent: '12.5', baseMinor: 4900, amountMinor: 613 });
  });

  it('records earned rewards, free periods and credits in their own units', async () => {
    const input = grantInput({
      outcomes: [
        fixedOutcome('referrer', { kind: 'credits', unit: 'credit', amountMinor: 3, initialStatus: 'earned', expiresAt: null }),
        fixedOutcome('referee', { kind: 'free_period', unit: 'day', amountMinor: 30 }),
      ],
    });
    const { rewards } = await grantRewards(db.sequelize, input);
    expect(rewards.map((r) => [r.kind, r.unit, r.status, r.expiresAt])).toEqual([
      ['credits', 'credit', 'earned', null],
      ['free_period', 'day', 'pending', daysAfter(T0, 365)],
    ]);
  });

  it('records a disqualified outcome with its reason and books nothing', async () => {
    const input = grantInput({ outcomes: [fixedOutcome('referrer'), { role: 'referee', decision: 'disqualified', reason: 'not a first payment' }] });
    const { rewards } = await grantRewards(db.sequelize, input);
    expect(rewards[1]).toMatchObject({ status: 'disqualified', decisionReason: 'not a first payment', amountMinor: null, kind: null });
    expect(await getBeneficiaryBalances(db.sequelize, input.refereeId)).toEqual([]);
  });

  describe('idempotency per (program, conversion, role)', () => {
    it('returns the original rewards on retry and writes nothing', async () => {
      const input = grantInput();
      const first = await grantRewards(db.sequelize, input);
      const before = await tableCounts(db.sequelize);
      for (let i = 0; i < 3; i++) {
        expect(await grantRewards(db.sequelize, { ...input, actor: `worker-${i}` })).toEqual({ ...first, replayed: true });
      }
      expect(await tableCounts(db.sequelize)).toEqual(before);
    });

    it('refuses the same conversion and role with another amount: exists_with_different_content', async () => {
      const input = grantInput();
      await grantRewards(db.sequelize, input);
      await expect(
        grantRewards(db.sequelize, { ...input, outcomes: [fixedOutcome('referrer', { amountMinor: 9999 }), fixedOutcome('referee')] }),
      ).rejects.toMatchObject({ code: 'exists_with_different_content', retryable: false, details: { role: 'referrer' } });
      await expect(grantRewards(db.sequelize, { ...input, programVersion: 4 })).rejects.toMatchObject({
        code: 'exists_with_different_content',
      });
    });

    it('adds a role that was not decided before and replays the one that was', async () => {
      const input = grantInput();
      const first = await grantRewards(db.sequelize, { ...input, outcomes: [fixedOutcome('referee')] });
      const second = await grantRewards(db.sequelize, input);
      expect(second.replayed).toBe(false);
      expect(second.rewards[1]).toEqual(first.rewards[0]);
      expect(second.rewards[0]).toMatchObject({ role: 'referrer', status: 'pending' });
    });

    it('lets the same conversion reward in another program', async () => {
      const input = grantInput();
      await grantRewards(db.sequelize, input);
      const other = await grantRewards(db.sequelize, { ...input, programKey: 'kilo-pass-2025' });
      expect(other.replayed).toBe(false);
    });

    it('gives one reward per role when the same conversion is granted 10 times concurrently', async () => {
      const pool = widePool(db.databaseUrl, 10);
      try {
        const input = grantInput();
        const results = await Promise.all(Array.from({ length: 10 }, () => grantRewards(pool, input)));
        expect(results.filter((r) => !r.replayed)).toHaveLength(1);
        const ids = new Set(results.map((r) => r.rewards.map((x) => x.id).join(',')));
        expect(ids.size).toBe(1);
        const [row] = await db.sequelize.query<{ n: string }>(
          'SELECT count(*) AS n FROM ledger_rewards WHERE source_conversion_id = $1',
          { bind: [input.conversionId], type: QueryTypes.SELECT },
        );
        expect(Number(row?.n)).toBe(2);
        expect((await getBeneficiaryBalances(db.sequelize, input.referrerId))[0]?.balanceMinor).toBe(2450);
      } finally {
        await pool.close();
      }
    });
  });

  describe('referrer cap', () => {
    it('grants up to the cap, then records the referrer as cap_limited while the referee still earns', async () => {
      const referrerId = uniqueId('referrer');
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 2 })));
      expect(results.map((r) => r.rewards.map((x) => x.status))).toEqual([
        ['pending', 'pending'],
        ['pending', 'pending'],
        ['cap_limited', 'pending'],
        ['cap_limited', 'pending'],
      ]);
      expect(results[2]?.rewards[0]?.decisionReason).toMatch(/referrer cap reached/);
      expect(await getBeneficiaryBalances(db.sequelize, referrerId)).toEqual([
        { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 4900, openRewards: 2 },
      ]);
    });

    it('replays a cap_limited decision as cap_limited', async () => {
      const referrerId = uniqueId('referrer');
      await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }));
      const limited = grantInput({ referrerId, referrerCap: 1 });
      const first = await grantRewards(db.sequelize, limited);
      expect(first.rewards[0]?.status).toBe('cap_limited');
      expect(await grantRewards(db.sequelize, limited)).toEqual({ ...first, replayed: true });
    });

    it('treats a cap of 0 as no slot at all, and no cap as unlimited', async () => {
      const zero = await grantRewards(db.sequelize, grantInput({ referrerCap: 0 }));
      expect(zero.rewards[0]?.status).toBe('cap_limited');
      const referrerId = uniqueId('referrer');
      for (let i = 0; i < 7; i++) {
        const r = await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: null }));
        expect(r.rewards[0]?.status).toBe('pending');
      }
    });

    it('counts the cap per program', async () => {
      const referrerId = uniqueId('referrer');
      await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }));
      const other = await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1, programKey: 'other-program' }));
      expect(other.rewards[0]?.status).toBe('pending');
    });

    it('grants exactly 5 of 20 concurrent conversions of one referrer with cap 5, and 15 cap_limited', async () => {
      const pool = widePool(db.databaseUrl, 20);
      try {
        const referrerId = uniqueId('referrer');
        const results = await Promise.all(
          Array.from({ length: 20 }, () => grantRewards(pool, grantInput({ referrerId, referrerCap: 5 }))),
        );
        const referrerStatuses = results.map((r) => r.rewards[0]?.status);
        expect(referrerStatuses.filter((s) => s === 'pending')).toHaveLength(5);
        expect(referrerStatuses.filter((s) => s === 'cap_limited')).toHaveLength(15);
        expect(results.every((r) => r.rewards[1]?.status === 'pending')).toBe(true);
        expect(await getBeneficiaryBalances(db.sequelize, referrerId)).toEqual([
          { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 5 * 2450, openRewards: 5 },
        ]);
      } finally {
        await pool.close();
      }
    });
  });

  it('records the grant of a payment that already had an adverse notice as disqualified', async () => {
    const input = grantInput();
    await recordAdversePayment(db.sequelize, {
      noticeId: uniqueId('notice'),
      paymentId: input.conversionId,
      kind: 'refund',
      occurredAt: T0,
      actor: 'billing',
    });
    const { rewards } = await grantRewards(db.sequelize, input);
    expect(rewards.map((r) => [r.status, r.decisionReason])).toEqual([
      ['disqualified', 'the source payment had a refund notice before the grant'],
      ['disqualified', 'the source payment had a refund notice before the grant'],
    ]);
  });

  it.each([
    ['a float amount', { outcomes: [fixedOutcome('referee', { amountMinor: 24.5 })] }, 'outcomes[0].amountMinor'],
    ['an unsafe amount', { outcomes: [fixedOutcome('referee', { amountMinor: 2 ** 60 })] }, 'outcomes[0].amountMinor'],
    ['a lowercase currency', { outcomes: [fixedOutcome('referee', { unit: 'usd ' })] }, 'outcomes[0].unit'],
    ['an expiry before earning', { outcomes: [fixedOutcome('referee', { expiresAt: daysAfter(T0, -1) })] }, 'outcomes[0].expiresAt'],
    ['a percent reward without rate', { outcomes: [fixedOutcome('referee', { kind: 'percent' })] }, 'outcomes[0].percent'],
    ['two outcomes for one role', { outcomes: [fixedOutcome('referee'), fixedOutcome('referee')] }, 'outcomes'],
    ['a self-referral', { referrerId: 'same', refereeId: 'same' }, 'refereeId'],
    ['no outcome', { outcomes: [] }, 'outcomes'],
  ])('refuses %s: input_invalid naming the field', async (_label, overrides, path) => {
    await expect(grantRewards(db.sequelize, grantInput(overrides as never))).rejects.toMatchObject({
      code: 'input_invalid',
      issues: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });
});
