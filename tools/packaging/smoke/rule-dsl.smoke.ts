/*
 * Runs outside the workspace against the installed @referrals/rule-dsl tarball, in Node and, bundled
 * by Vite for a browser, as the bundle. So it uses no Node API (not even `process`): it throws.
 */
import { compileProgramOrThrow, exampleCatalogs, examplePrograms, validateProgram } from '@referrals/rule-dsl';

const validation = validateProgram(examplePrograms.kiloPass, exampleCatalogs.kiloPass);
if (!validation.ok) throw new Error(`the Kilo Pass example does not validate: ${JSON.stringify(validation.problems)}`);

const program = compileProgramOrThrow(examplePrograms.kiloPass, exampleCatalogs.kiloPass);
// A first paid monthly tier_49 payment of a new account: 2450 cents to each side (spec/examples.json).
const facts = {
  referee: { user_id: 'u_2', is_new_account: true },
  referrer: { user_id: 'u_1', rewards_earned: 0 },
  referral: { created_at: '2025-05-20T09:00:00Z' },
  subscription: {
    tier: 'tier_49',
    interval: 'monthly',
    kind: 'personal',
    monthly_price: { amountMinor: 4900, currency: 'USD' },
    started_at: '2025-06-01T11:59:00Z',
  },
  payment: { amount: { amountMinor: 2450, currency: 'USD' }, sequence: 1, paid_at: '2025-06-01T12:00:00Z' },
  event: { sequence: 1 },
};
const decision = program.evaluateReward('payment.succeeded', facts, { at: '2025-06-01T12:00:00Z' });
const amounts = decision.grants.map((g) => (g.reward.type === 'money' ? `${g.beneficiary}:${g.reward.amount.amountMinor}` : g.beneficiary));
if (decision.code !== 'rewarded' || amounts.join(',') !== 'referrer:2450,referee:2450') {
  throw new Error(`unexpected decision: ${decision.code} ${amounts.join(',')}`);
}
console.log(`rule-dsl: Kilo Pass validated and compiled; first tier_49 payment -> ${decision.code} (${amounts.join(', ')})`);
