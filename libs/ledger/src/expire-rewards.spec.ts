import { useTestDatabase } from '@referrals/db/testing';
import { applyRewardToIssuance } from './apply-reward';
import { expireRewards } from './expire-rewards';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getRewardHistory, listRewards } from './read-models';
import { daysAfter, expectLedgerSound, fixedOutcome, grantInput, T0, tableCounts, uniqueId, widePool, defined } from './testing/ledger-fixtures';

describe('expireRewards', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  /** A pending referee reward for a new user, expiring `expiresInDays` after T0. */
  async function pendingReward(expiresInDays: number, program = 'kilo-pass'): Promise<{ id: string; user: string }> {
    const user = uniqueId('user');
    const { rewards } = await grantRewards(
      db.sequelize,
      grantInput({ programKey: program, refereeId: user, outcomes: [fixedOutcome('referee', { expiresAt: daysAfter(T0, expiresInDays) })] }),
    );
    return { id: defined(rewards[0]).id, user };
  }

  it('expires pending rewards past their expiry (at the instant included), booking them to the expired account', async () => {
    const program = 'expiry-basic';
    const due = await pendingReward(10, program);
    const later = await pendingReward(20, program);
    const result = await expireRewards(db.sequelize, { now: daysAfter(T0, 10) });
    expect(result.expired.map((r) => r.id)).toContain(due.id);
    expect(result.expired.map((r) => r.id)).not.toContain(later.id);
    expect(result.expired.every((r) => r.status === 'expired')).toBe(true);
    const history = await getRewardHistory(db.sequelize, due.id);
    expect(history.events.at(-1)).toMatchObject({ fromStatus: 'pending', toStatus: 'expired', operation: 'expire', actor: 'system:reward-expiry' });
    expect(history.transactions.at(-1)?.entries.map((e) => [e.account.kind, e.side])).toEqual([
      ['beneficiary', 'debit'],
      ['expired', 'credit'],
    ]);
  });

  it('is idempotent: a second run expires nothing and writes nothing', async () => {
    await pendingReward(5);
    await expireRewards(db.sequelize, { now: daysAfter(T0, 400) });
    const before = await tableCounts(db.sequelize);
    expect(await expireRewards(db.sequelize, { now: daysAfter(T0, 400) })).toEqual({ expired: [], hasMore: false });
    expect(await tableCounts(db.sequelize)).toEqual(before);
  });

  it('works in batches, saying when more are due', async () => {
    for (let i = 0; i < 5; i++) await pendingReward(3);
    const first = await expireRewards(db.sequelize, { now: daysAfter(T0, 400), batchSize: 2 });
    expect(first).toMatchObject({ hasMore: true });
    expect(first.expired).toHaveLength(2);
    let rounds = 1;
    while ((await expireRewards(db.sequelize, { now: daysAfter(T0, 400), batchSize: 2 })).hasMore) rounds++;
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(await listRewards(db.sequelize, { status: 'pending' })).toEqual([]);
  });

  it('leaves rewards without expiry, earned (held) rewards and consumed rewards alone', async () => {
    const user = uniqueId('user');
    await grantRewards(db.sequelize, grantInput({ refereeId: user, outcomes: [fixedOutcome('referee', { expiresAt: null })] }));
    await grantRewards(
      db.sequelize,
      grantInput({ refereeId: uniqueId('user'), outcomes: [fixedOutcome('referee', { initialStatus: 'earned', expiresAt: daysAfter(T0, 2) })] }),
    );
    await expireRewards(db.sequelize, { now: daysAfter(T0, 10_000) });
    expect((await listRewards(db.sequelize, { beneficiaryId: user }))[0]?.status).toBe('pending');
    expect(await listRewards(db.sequelize, { status: 'earned' })).toHaveLength(1);
  });

  it('races application safely: every reward ends either applied or expired, never both, never lost', async () => {
    const pool = widePool(db.databaseUrl, 8);
    try {
      const rewards: { id: string; user: string }[] = [];
      for (let i = 0; i < 24; i++) rewards.push(await pendingReward(30));
      const at = daysAfter(T0, 30);
      const appliers = rewards.map((r) =>
        applyRewardToIssuance(pool, {
          issuanceId: uniqueId('iss'),
          beneficiaryId: r.user,
          product: 'kilo_pass',
          issuanceCreatedAt: daysAfter(T0, 29),
          // The applier's clock is a moment before expiry; the expiry job's is at it.
          asOf: new Date(at.getTime() - 1),
          actor: 'workflow',
        }),
      );
      const expirers = [1, 2, 3].map(() => expireRewards(pool, { now: at, batchSize: 5_000 }));
      const [applied, expired] = await Promise.all([Promise.all(appliers), Promise.all(expirers)]);
      const appliedIds = applied.flatMap((r) => (r.outcome === 'applied' ? [r.reward.id] : []));
      const expiredIds = expired.flatMap((r) => r.expired.map((x) => x.id)).filter((id) => rewards.some((r) => r.id === id));
      expect(new Set(appliedIds).size).toBe(appliedIds.length);
      expect(new Set(expiredIds).size).toBe(expiredIds.length);
      expect(appliedIds.filter((id) => expiredIds.includes(id))).toEqual([]);
      expect(appliedIds.length + expiredIds.length).toBe(rewards.length);
      const states = await listRewards(db.sequelize, { beneficiaryId: undefined, status: ['applied', 'expired'], limit: 1_000 });
      for (const r of rewards) expect(states.find((s) => s.id === r.id)?.status).toBe(appliedIds.includes(r.id) ? 'applied' : 'expired');
    } finally {
      await pool.close();
    }
  });
});
