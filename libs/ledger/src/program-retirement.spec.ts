import { useTestDatabase } from '@referrals/db/testing';
import { applyFreePeriodReward } from './apply-free-period';
import { addCalendarMonths } from './calendar-months';
import { cancelProgramRewards } from './cancel-program-rewards';
import { grantRewards } from './grant-rewards';
import { ledgerMigrations } from './ledger.migrations';
import { getRewardHistory, listRewards } from './read-models';
import { daysAfter, defined, expectLedgerSound, fixedOutcome, grantInput, T0, uniqueId } from './testing/ledger-fixtures';

/** A KiloClaw-like grant: one free calendar month to each side. */
const freeMonth = (role: 'referrer' | 'referee', overrides: Record<string, unknown> = {}) =>
  fixedOutcome(role, { kind: 'free_period', amountMinor: 1, unit: 'month', ...overrides } as never);

describe('addCalendarMonths (KiloClaw calendar month: day of month kept, clamped)', () => {
  it.each([
    ['2026-01-15T10:00:00.000Z', 1, '2026-02-15T10:00:00.000Z'],
    ['2026-01-31T10:00:00.000Z', 1, '2026-02-28T10:00:00.000Z'],
    ['2028-01-31T10:00:00.000Z', 1, '2028-02-29T10:00:00.000Z'],
    ['2026-08-31T09:00:00.000Z', 1, '2026-09-30T09:00:00.000Z'],
    ['2026-12-31T23:59:59.999Z', 1, '2027-01-31T23:59:59.999Z'],
    ['2026-03-31T00:00:00.000Z', 11, '2027-02-28T00:00:00.000Z'],
  ])('%s + %i month(s) = %s', (from, months, to) => {
    expect(addCalendarMonths(new Date(from), months).toISOString()).toBe(to);
  });
});

describe('a program\'s rewards at retirement and free-period fulfilment', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  it('cancelProgramRewards cancels pending and earned rewards of the program with the reason, leaves applied ones and other programs alone, and is idempotent', async () => {
    const program = uniqueId('claw');
    const open = await grantRewards(db.sequelize, grantInput({ programKey: program, product: 'kiloclaw', outcomes: [freeMonth('referrer', { initialStatus: 'earned' }), freeMonth('referee')] }));
    const appliedGrant = await grantRewards(db.sequelize, grantInput({ programKey: program, product: 'kiloclaw', outcomes: [freeMonth('referee')] }));
    const applied = await applyFreePeriodReward(db.sequelize, {
      subscriptionId: uniqueId('sub'),
      beneficiaryId: appliedGrant.rewards[0]!.beneficiaryId,
      product: 'kiloclaw',
      renewsAt: daysAfter(T0, 20),
      asOf: daysAfter(T0, 1),
      actor: 'test',
    });
    expect(applied.outcome).toBe('applied');
    const other = await grantRewards(db.sequelize, grantInput());

    const canceled = await cancelProgramRewards(db.sequelize, { programKey: program, actor: 'operator:test', reason: 'program retired: closed' });
    expect(canceled.map((r) => [r.id, r.status]).sort()).toEqual(open.rewards.map((r) => [r.id, 'canceled']).sort());
    const history = await getRewardHistory(db.sequelize, defined(open.rewards[0]).id);
    expect(history.events.at(-1)).toMatchObject({ fromStatus: 'earned', toStatus: 'canceled', operation: 'program_retired', actor: 'operator:test', reason: 'program retired: closed' });
    expect((await listRewards(db.sequelize, { beneficiaryId: appliedGrant.rewards[0]!.beneficiaryId }))[0]?.status).toBe('applied');
    expect((await listRewards(db.sequelize, { beneficiaryId: other.rewards[0]!.beneficiaryId }))[0]?.status).toBe('pending');
    expect(await cancelProgramRewards(db.sequelize, { programKey: program, actor: 'operator:test', reason: 'again' })).toEqual([]);
  });

  it('applyFreePeriodReward applies the oldest pending free period to one renewal boundary, once (a retry answers the same), and moves it one calendar month', async () => {
    const program = uniqueId('claw');
    const referee = uniqueId('referee');
    await grantRewards(db.sequelize, grantInput({ programKey: program, product: 'kiloclaw', refereeId: referee, outcomes: [freeMonth('referee')] }));
    await grantRewards(db.sequelize, grantInput({ programKey: program, product: 'kiloclaw', refereeId: referee, earnedAt: daysAfter(T0, 2), outcomes: [freeMonth('referee', { expiresAt: daysAfter(T0, 367) })] }));
    const input = { subscriptionId: uniqueId('sub'), beneficiaryId: referee, product: 'kiloclaw', renewsAt: new Date('2026-01-31T08:00:00Z'), asOf: daysAfter(T0, 3), actor: 'test' };

    const first = await applyFreePeriodReward(db.sequelize, input);
    expect(first).toMatchObject({ outcome: 'applied', replayed: false, newRenewsAt: new Date('2026-02-28T08:00:00Z'), reward: { earnedAt: T0, status: 'applied' } });
    const again = await applyFreePeriodReward(db.sequelize, input);
    expect(again).toMatchObject({ outcome: 'applied', replayed: true, reward: { id: first.outcome === 'applied' ? first.reward.id : '' } });
    const next = await applyFreePeriodReward(db.sequelize, { ...input, renewsAt: new Date('2026-02-28T08:00:00Z') });
    expect(next).toMatchObject({ outcome: 'applied', replayed: false, newRenewsAt: new Date('2026-03-28T08:00:00Z') });
    expect(await applyFreePeriodReward(db.sequelize, { ...input, renewsAt: new Date('2026-03-28T08:00:00Z') })).toMatchObject({ outcome: 'no_reward_available' });
  });
});
