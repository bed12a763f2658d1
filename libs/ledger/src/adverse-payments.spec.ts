import { useTestDatabase } from '@referrals/db/testing';
import { adversePaymentKinds, recordAdversePayment, type AdversePaymentInput } from './adverse-payments';
import { applyRewardToIssuance } from './apply-reward';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getBeneficiaryBalances, getRewardHistory, listRewards } from './read-models';
import { resolveReview } from './review-rewards';
import { daysAfter, expectLedgerSound, fixedOutcome, grantInput, T0, tableCounts, uniqueId, widePool, defined } from './testing/ledger-fixtures';

describe('recordAdversePayment', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  function notice(paymentId: string, kind: AdversePaymentInput['kind'], overrides: Partial<AdversePaymentInput> = {}): AdversePaymentInput {
    return { noticeId: uniqueId('notice'), paymentId, kind, occurredAt: daysAfter(T0, 5), actor: 'billing-webhook', ...overrides };
  }

  async function applyTo(user: string): Promise<void> {
    const result = await applyRewardToIssuance(db.sequelize, {
      issuanceId: uniqueId('iss'),
      beneficiaryId: user,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 30),
      asOf: daysAfter(T0, 30),
      actor: 'workflow',
    });
    expect(result.outcome).toBe('applied');
  }

  describe.each(adversePaymentKinds)('a %s notice', (kind) => {
    it('cancels pending and earned rewards of the payment, and sends applied ones to review_required', async () => {
      const input = grantInput({ outcomes: [fixedOutcome('referrer', { initialStatus: 'earned' }), fixedOutcome('referee')] });
      const { rewards } = await grantRewards(db.sequelize, input);
      const result = await recordAdversePayment(db.sequelize, notice(input.conversionId, kind));
      expect(result).toMatchObject({ effect: 'acted', replayed: false, kind });
      expect(result.changes).toEqual([
        { rewardId: defined(rewards[0]).id, from: 'earned', to: 'canceled' },
        { rewardId: defined(rewards[1]).id, from: 'pending', to: 'canceled' },
      ]);
      expect(await getBeneficiaryBalances(db.sequelize, input.refereeId)).toEqual([
        { programKey: 'kilo-pass', unit: 'USD', balanceMinor: 0, openRewards: 0 },
      ]);
      const history = await getRewardHistory(db.sequelize, defined(rewards[1]).id);
      expect(history.events.at(-1)).toMatchObject({
        operation: 'adverse_payment',
        actor: 'billing-webhook',
        externalIds: expect.objectContaining({ payment_id: input.conversionId, adverse_kind: kind, notice_id: result.noticeId }),
      });
      expect(history.transactions.at(-1)?.entries.map((e) => [e.account.kind, e.side])).toEqual([
        ['beneficiary', 'debit'],
        ['reversed', 'credit'],
      ]);

      const applied = grantInput();
      const granted = await grantRewards(db.sequelize, applied);
      await applyTo(applied.refereeId);
      const second = await recordAdversePayment(db.sequelize, notice(applied.conversionId, kind));
      expect(second.changes).toEqual([
        { rewardId: defined(granted.rewards[0]).id, from: 'pending', to: 'canceled' },
        { rewardId: defined(granted.rewards[1]).id, from: 'applied', to: 'review_required' },
      ]);
    });

    it('changes nothing more on a repeated notice, and replays the same notice id', async () => {
      const input = grantInput();
      await grantRewards(db.sequelize, input);
      const first = notice(input.conversionId, kind);
      const acted = await recordAdversePayment(db.sequelize, first);
      const before = await tableCounts(db.sequelize);
      expect(await recordAdversePayment(db.sequelize, first)).toEqual({ ...acted, replayed: true });
      expect(await tableCounts(db.sequelize)).toEqual(before);
      for (const other of adversePaymentKinds) {
        expect(await recordAdversePayment(db.sequelize, notice(input.conversionId, other))).toMatchObject({
          effect: 'already_handled',
          changes: [],
        });
      }
    });
  });

  it('changes nothing when a later notice arrives after an operator kept a reviewed reward', async () => {
    const input = grantInput({ outcomes: [fixedOutcome('referee')] });
    await grantRewards(db.sequelize, input);
    await applyTo(input.refereeId);
    await recordAdversePayment(db.sequelize, notice(input.conversionId, 'early_fraud_warning_refund'));
    const [reviewed] = await listRewards(db.sequelize, { beneficiaryId: input.refereeId });
    expect(reviewed?.status).toBe('review_required');
    await resolveReview(db.sequelize, { rewardId: defined(reviewed).id, decision: 'keep', actor: 'operator:alice', reason: 'refund was a mistake' });
    expect(await recordAdversePayment(db.sequelize, notice(input.conversionId, 'chargeback'))).toMatchObject({ effect: 'already_handled' });
    expect((await listRewards(db.sequelize, { beneficiaryId: input.refereeId }))[0]?.status).toBe('applied');
  });

  it('acts on every program that rewarded the payment', async () => {
    const input = grantInput();
    await grantRewards(db.sequelize, input);
    await grantRewards(db.sequelize, { ...input, programKey: 'kilo-pass-partners' });
    const result = await recordAdversePayment(db.sequelize, notice(input.conversionId, 'chargeback'));
    expect(result.changes).toHaveLength(4);
    expect(result.changes.every((c) => c.to === 'canceled')).toBe(true);
  });

  it('gives the referrer cap slot of a canceled reward back', async () => {
    const referrerId = uniqueId('referrer');
    const first = grantInput({ referrerId, referrerCap: 1 });
    await grantRewards(db.sequelize, first);
    expect((await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }))).rewards[0]?.status).toBe('cap_limited');
    await recordAdversePayment(db.sequelize, notice(first.conversionId, 'refund'));
    expect((await grantRewards(db.sequelize, grantInput({ referrerId, referrerCap: 1 }))).rewards[0]?.status).toBe('pending');
  });

  it('records a notice that arrives before the grant, so the late grant is disqualified (out of order)', async () => {
    const input = grantInput();
    expect(await recordAdversePayment(db.sequelize, notice(input.conversionId, 'chargeback'))).toMatchObject({ effect: 'acted', changes: [] });
    const { rewards } = await grantRewards(db.sequelize, input);
    expect(rewards.map((r) => r.status)).toEqual(['disqualified', 'disqualified']);
  });

  it('refuses a notice id reused with other content: exists_with_different_content', async () => {
    const first = notice(uniqueId('pay'), 'refund');
    await recordAdversePayment(db.sequelize, first);
    await expect(recordAdversePayment(db.sequelize, { ...first, kind: 'chargeback' })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
    await expect(recordAdversePayment(db.sequelize, { ...first, paymentId: uniqueId('pay') })).rejects.toMatchObject({
      code: 'exists_with_different_content',
    });
  });

  it('never leaves a reward open when a grant races the notice of its payment', async () => {
    const pool = widePool(db.databaseUrl, 8);
    try {
      const inputs = Array.from({ length: 10 }, () => grantInput());
      await Promise.all(
        inputs.flatMap((input) => [grantRewards(pool, input), recordAdversePayment(pool, notice(input.conversionId, 'refund'))]),
      );
      for (const input of inputs) {
        const statuses = (await listRewards(db.sequelize, { beneficiaryId: input.refereeId })).map((r) => r.status);
        expect(['canceled', 'disqualified']).toContain(statuses[0]);
      }
    } finally {
      await pool.close();
    }
  });

  it('handles 5 concurrent copies of one notice as one', async () => {
    const pool = widePool(db.databaseUrl, 5);
    try {
      const input = grantInput();
      await grantRewards(db.sequelize, input);
      const same = notice(input.conversionId, 'fraud_mark');
      const results = await Promise.all(Array.from({ length: 5 }, () => recordAdversePayment(pool, same)));
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      for (const result of results) expect(result.changes).toEqual(results[0]?.changes);
      expect(results[0]?.changes).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });
});
