import { useTestDatabase } from '@referrals/db/testing';
import { applyRewardToIssuance } from './apply-reward';
import { grantRewards } from './grant-rewards';
import { getIssuanceOutcome, recordIssuanceOutcome, recordIssuanceReceived } from './issuance-outcomes';
import { ledgerMigrations } from './ledger.migrations';
import { daysAfter, expectLedgerSound, grantInput, T0, uniqueId } from './testing/ledger-fixtures';

describe('issuance outcomes', () => {
  const db = useTestDatabase([ledgerMigrations]);
  afterEach(async () => expectLedgerSound(db.sequelize));

  const received = (issuanceId: string, facts: Record<string, unknown> | null = { issuanceNumber: 2 }) =>
    recordIssuanceReceived(db.sequelize, { issuanceId, subscriberId: 'sub-1', product: 'kilo_pass', facts });
  const decided = (issuanceId: string, overrides: Partial<Parameters<typeof recordIssuanceOutcome>[1]> = {}) =>
    recordIssuanceOutcome(db.sequelize, {
      issuanceId,
      subscriberId: 'sub-1',
      product: 'kilo_pass',
      decision: 'none',
      reason: 'the period ended without the usage threshold being crossed',
      usageThresholdCrossedAt: null,
      actor: 'workflow:issuance-bonus-x',
      ...overrides,
    });

  it('refuses an issuance no event was received about with issuance_not_found, naming the field', async () => {
    await expect(getIssuanceOutcome(db.sequelize, uniqueId('iss'))).rejects.toMatchObject({
      code: 'issuance_not_found',
      issues: [expect.objectContaining({ path: 'issuanceId' })],
    });
  });

  it('is pending from the first event, keeps the first facts (a usage signal first, then the facts), then decided once: the first decision stands', async () => {
    const issuanceId = uniqueId('iss');
    await received(issuanceId, null);
    expect(await getIssuanceOutcome(db.sequelize, issuanceId)).toMatchObject({ status: 'pending', facts: null, decision: null, reason: null, item: null, consumedReward: null });
    await received(issuanceId, { issuanceNumber: 2 });
    await received(issuanceId, { issuanceNumber: 7 });
    expect((await getIssuanceOutcome(db.sequelize, issuanceId)).facts).toEqual({ issuanceNumber: 2 });

    await decided(issuanceId);
    await decided(issuanceId, { decision: 'usage_bonus', reason: 'a replay that lost the race' });
    await received(issuanceId, null);
    expect(await getIssuanceOutcome(db.sequelize, issuanceId)).toMatchObject({
      status: 'decided',
      decision: 'none',
      reason: 'the period ended without the usage threshold being crossed',
      decidedBy: 'workflow:issuance-bonus-x',
      decidedAt: expect.any(Date),
    });
    // The database refuses to change a decided outcome, whatever the code does.
    await expect(db.sequelize.query("UPDATE ledger_issuance_outcomes SET decision = 'usage_bonus' WHERE issuance_id = $1", { bind: [issuanceId] })).rejects.toThrow(/final/);
  });

  it('records a decision for an issuance the api never saw, and shows the slot item and the reward a referral_bonus consumed', async () => {
    const grant = grantInput();
    await grantRewards(db.sequelize, grant);
    const issuanceId = uniqueId('iss');
    const applied = await applyRewardToIssuance(db.sequelize, {
      issuanceId,
      beneficiaryId: grant.refereeId,
      product: 'kilo_pass',
      issuanceCreatedAt: daysAfter(T0, 30),
      asOf: daysAfter(T0, 30),
      actor: 'test',
    });
    if (applied.outcome !== 'applied') throw new Error('expected applied');
    await decided(issuanceId, { subscriberId: grant.refereeId, decision: 'referral_bonus', reason: 'oldest pending reward' });
    expect(await getIssuanceOutcome(db.sequelize, issuanceId)).toMatchObject({
      status: 'decided',
      subscriberId: grant.refereeId,
      facts: null,
      decision: 'referral_bonus',
      item: { itemKind: 'referral_bonus', rewardId: applied.reward.id },
      consumedReward: { id: applied.reward.id, status: 'applied', consumedByIssuanceId: issuanceId },
    });
  });
});
