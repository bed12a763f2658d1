import { type z } from 'zod';
import { fakeSaasquatchCookie, type ImpactTestHarness, type RecordedRequest, startImpactTestHarness } from '../testing';
import {
  advocateErrorContract,
  participantResponseContract,
  redeemRequestContract,
  redeemResponseContract,
  rewardContract,
  rewardListContract,
  upsertParticipantRequestContract,
} from './advocate.contract';
import {
  apiSubmissionContract,
  conversionErrorContract,
  conversionRequestContract,
  conversionResponseContract,
  performanceErrorContract,
  reversalRequestContract,
  reversalResponseContract,
} from './performance.contract';

/**
 * Contract tests: every request the real client sends and every answer the documented fake gives
 * is checked against our schemas of Impact's published descriptions (./*.contract.ts), so neither
 * the client nor the fake can drift from the documents unnoticed.
 */

interface Contract {
  request?: z.ZodType;
  ok: z.ZodType;
  error: z.ZodType;
}

const CONTRACTS: Record<string, Contract> = {
  upsertParticipant: { request: upsertParticipantRequestContract, ok: participantResponseContract, error: advocateErrorContract },
  listRewards: { ok: rewardListContract, error: advocateErrorContract },
  lookupReward: { ok: rewardContract, error: advocateErrorContract },
  redeemReward: { request: redeemRequestContract, ok: redeemResponseContract, error: advocateErrorContract },
  cancelReward: { ok: rewardContract, error: advocateErrorContract },
  submitConversion: { request: conversionRequestContract, ok: conversionResponseContract, error: conversionErrorContract },
  pollSubmission: { ok: apiSubmissionContract, error: performanceErrorContract },
  reverseAction: { request: reversalRequestContract, ok: reversalResponseContract, error: performanceErrorContract },
};

/** Every way the recorded exchanges break the contracts (empty when they all hold). */
function violations(requests: RecordedRequest[]): string[] {
  const found: string[] = [];
  for (const r of requests) {
    const contract = CONTRACTS[r.operation];
    if (!contract) {
      found.push(`#${r.seq} ${r.method} ${r.path}: no contract for operation ${r.operation}`);
      continue;
    }
    const describe = (what: string, error: z.ZodError) =>
      `#${r.seq} ${r.operation} ${what}: ${error.issues.map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`;
    if (contract.request) {
      const request = contract.request.safeParse(r.body);
      if (!request.success) found.push(describe('request', request.error));
    }
    if (typeof r.status !== 'number') continue;
    const schema = r.status >= 200 && r.status < 300 ? contract.ok : contract.error;
    const response = schema.safeParse(r.responseBody);
    if (!response.success) found.push(describe(`response ${r.status}`, response.error));
  }
  return found;
}

let h: ImpactTestHarness;
beforeAll(async () => {
  h = await startImpactTestHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.reset();
  h.fake.configure({ contract: 'documented', submissions: { mode: 'queued', pollsUntilComplete: 3 }, rewardDelayMs: 0, rewardListShape: 'array' });
});

const sale = (orderSourceId: string) => ({
  event: 'SALE' as const,
  orderSourceId,
  eventDate: new Date('2026-03-01T12:00:00Z'),
  customerId: 'user-referee',
  customerEmail: 'referee@example.com',
  currencyCode: 'USD',
  amountMinor: 2900,
  item: { category: 'subscription', name: 'kiloclaw', sku: 'kiloclaw_monthly', quantity: 1 },
  promoCode: 'SPRING',
});

describe('Impact contracts: the client and the documented fake', () => {
  it('registration, a referral SALE and its duplicate, a reversal, rewards, redemption and cancellation all match the documents', async () => {
    const { advocate, performance } = h.client.forProduct('kiloclaw');
    const referrer = { id: 'referrer@example.com', accountId: 'referrer@example.com', email: 'referrer@example.com', locale: 'en-us', countryCode: 'us' };
    const registered = await advocate.upsertParticipant(referrer);
    const code = registered.kind === 'ok' ? (registered.value.referralCode ?? '') : '';
    const cookies = fakeSaasquatchCookie({ tenantAlias: 'referrals_demo', programId: '51699', code });
    const referee = { id: 'referee@example.com', accountId: 'referee@example.com', email: 'referee@example.com', locale: 'fr', cookies };
    expect(await advocate.upsertParticipant(referee)).toMatchObject({ kind: 'ok', value: { referredByCode: code } });

    expect(await performance.reportConversion(sale('in_contract_1'), { pollIntervalMs: 1 })).toMatchObject({ kind: 'ok' });
    expect(await performance.reportConversion(sale('in_contract_1'), { pollIntervalMs: 1 })).toMatchObject({ kind: 'ok' });
    const reversed = await performance.reverseAction({ event: 'SALE', orderSourceId: 'in_contract_1' }, 'ITEM_RETURNED');
    const queuedUri = reversed.kind === 'ok' && reversed.value.status === 'queued' ? reversed.value.queuedUri : '';
    expect(await performance.pollSubmission({ queuedUri }, { pollIntervalMs: 1 })).toMatchObject({ kind: 'ok' });

    await h.fake.settle();
    const found = await advocate.findRewardToRedeem({ accountId: referrer.accountId, userId: referrer.id, amountMinor: 1 });
    const rewardId = found.kind === 'ok' ? found.value.rewardId : '';
    expect(await advocate.redeemReward({ rewardId, amountMinor: 1 })).toMatchObject({ kind: 'ok' });
    expect(await advocate.redeemReward({ rewardId, amountMinor: 1, previouslyChosenRewardId: rewardId })).toMatchObject({ kind: 'already_redeemed' });
    const refereeReward = h.fake.rewards().find((r) => r.userId === referee.id);
    expect(await advocate.cancelReward({ rewardId: refereeReward?.id ?? '' })).toMatchObject({ kind: 'ok' });

    expect(h.fake.requests().map((r) => r.operation)).toEqual(
      expect.arrayContaining(['upsertParticipant', 'submitConversion', 'pollSubmission', 'reverseAction', 'listRewards', 'lookupReward', 'redeemReward', 'cancelReward']),
    );
    expect(violations(h.fake.requests())).toEqual([]);
  });

  it('errors match the documents too: a validation failure, a refused submission, an unknown reward, a bare-language locale sent raw', async () => {
    const { advocate, performance } = h.client.forProduct('kiloclaw');
    const wrongCampaign = h.clientWith((c) => {
      const p = c.products?.['kiloclaw']?.performance;
      if (p) p.campaignId = '99999';
      return c;
    });
    expect(await wrongCampaign.forProduct('kiloclaw').performance.submitConversion(sale('in_contract_2'))).toMatchObject({ kind: 'permanent' });
    h.fake.configure({ submissions: { mode: 'queued', pollsUntilComplete: 1, result: 'configuration_error' } });
    expect(await performance.reportConversion(sale('in_contract_3'), { pollIntervalMs: 1 })).toMatchObject({ kind: 'permanent', code: 'submission_configuration_error' });
    expect(await advocate.redeemReward({ rewardId: 'missing', amountMinor: 1 })).toMatchObject({ kind: 'permanent', code: 'not_found' });
    expect(await advocate.cancelReward({ rewardId: 'missing' })).toMatchObject({ kind: 'permanent', code: 'not_found' });

    expect(violations(h.fake.requests())).toEqual([]);
  });

  it('catches drift: an undocumented field or answer is a violation', async () => {
    h.fake.configure({ contract: 'permissive', submissions: { mode: 'queued', pollsUntilComplete: 1 } });
    await h.client.forProduct('kiloclaw').performance.reportConversion(sale('in_contract_4'), { pollIntervalMs: 1 });
    // The permissive fake adds ActionId / ActionUri to the completed submission: not documented.
    expect(violations(h.fake.requests())).toEqual([expect.stringMatching(/pollSubmission response 200: .*Unrecognized key/)]);
  });

  it('flags the Kilo Pass redeem amount: decimals where the document says integer (rewardUnitDecimals 2, a known, configured deviation)', async () => {
    const reward = h.fake.addReward({ tenantAlias: 'referrals_demo', accountId: 'k@example.com', userId: 'k@example.com', amount: 24.5, unit: 'USD', programId: '51700' });
    await h.client.forProduct('kilo_pass').advocate.redeemReward({ rewardId: reward.id, amountMinor: 2450 });
    expect(violations(h.fake.requests({ operation: 'redeemReward' }))).toEqual([
      expect.stringMatching(/redeemReward request: amount/),
      expect.stringMatching(/redeemReward response 200: creditRedeemed/),
    ]);
  });
});
