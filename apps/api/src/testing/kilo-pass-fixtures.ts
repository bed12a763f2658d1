import { ok } from '@referrals/client';
import { examplePrograms } from '@referrals/rule-dsl';
import { type ApiHarness } from './api-harness';

export const KILO_PASS_PROGRAM = 'kilo-pass-referrals';

export async function createKiloPassProgram(api: ApiHarness): Promise<void> {
  // Through the typed client over HTTP (the admin console's and operators' path).
  ok(await api.client('admin').POST('/v1/admin/programs', { body: { document: examplePrograms.kiloPass, author: 'operator:test', changeNote: 'launch' } }));
}

/** A referrer with a code, a visitor's referral touch through it, and the visitor's signup: a qualified referral. */
export async function referKiloPass(api: ApiHarness, name: string): Promise<{ referrer: string; referee: string }> {
  const referrer = `${name}-referrer-${api.run}`;
  const referee = `${name}-referee-${api.run}`;
  const code = `${name}${api.run}`.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const storefront = api.client('storefront');
  ok(await storefront.POST('/v1/referral-codes', { body: { programKey: KILO_PASS_PROGRAM, code, userId: referrer } }));
  ok(await storefront.POST('/v1/touches', { body: { kind: 'referral', anonymousId: `${name}-anon-${api.run}`, product: 'kilo_pass', referralCode: code } }));
  const signup = ok(await storefront.POST('/v1/signups', { body: { product: 'kilo_pass', userId: referee, anonymousId: `${name}-anon-${api.run}`, email: `${name}@example.com` } }));
  if (signup.referral?.status !== 'qualified') throw new Error(`referral of ${name} did not qualify: ${JSON.stringify(signup)}`);
  return { referrer, referee };
}

/**
 * A first monthly tier_49 payment of `userId`, paid now. Every payment of one user built here is
 * of the same subscription (`sub_first`; subscription ids are compared within one user's history,
 * and a user id may already be 200 characters): a later one is its renewal, never an earlier
 * subscription (Kilo rule 99 compares subscriptions, not payments).
 */
export function kiloPayment(userId: string, sourcePaymentId: string, overrides: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    provider: 'stripe',
    sourcePaymentId,
    product: 'kilo_pass',
    userId,
    paidAt: now,
    amount: { minor: 4900, currency: 'USD' },
    sequence: 1,
    subscription: { id: 'sub_first', tier: 'tier_49', interval: 'monthly', kind: 'personal', startedAt: now },
    ...overrides,
  };
}
