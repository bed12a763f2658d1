/*
 * Type-level tests of the public API: `tsc` (the typecheck target) is the test runner for the
 * assertions below; Jest only runs the few runtime checks. A `@ts-expect-error` that stops being an
 * error fails the typecheck, so loosened types cannot slip in unnoticed.
 */
import {
  catalogForProduct,
  compileProgramOrThrow,
  defineFactCatalog,
  type EligibilityFactsFor,
  type EligibilityEvaluation,
  examplePrograms,
  type FactCatalog,
  type FactSet,
  type FactSetFor,
  lessonsFactCatalog,
  type Money,
  type paymentsFactCatalog,
  type ProgramDocument,
  type RewardEvaluation,
  type RewardFactsFor,
} from './index';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

type LessonFacts = typeof lessonsFactCatalog.facts;
type PaymentFacts = typeof paymentsFactCatalog.facts;

// A catalog's declarations give the shape of its fact sets, per phase.
type LessonEligibility = EligibilityFactsFor<LessonFacts>;
assertType<Equal<LessonEligibility['advocate']['user_id'], number>>();
assertType<Equal<LessonEligibility['advocate']['toggles'], readonly string[]>>();
assertType<Equal<LessonEligibility['referral']['created_at'], string | Date>>();
// Optional facts are optional and may be null.
assertType<Equal<LessonEligibility['advocate']['country'], string | null | undefined>>();
// Reward-only facts do not exist at eligibility time, and clock facts are never supplied.
assertType<Equal<'lesson' extends keyof LessonEligibility ? true : false, false>>();
assertType<Equal<'now' extends keyof LessonEligibility ? true : false, false>>();

type PaymentReward = RewardFactsFor<PaymentFacts>;
assertType<Equal<PaymentReward['subscription']['monthly_price'], Money>>();
assertType<Equal<PaymentReward['lesson' & keyof PaymentReward], never>>();
assertType<Equal<PaymentReward['payment']['amount'], Money>>();
assertType<Equal<PaymentReward['lesson' extends keyof PaymentReward ? 'lesson' : never], never>>();

// An untyped catalog takes any fact set.
assertType<Equal<FactSetFor<FactCatalog['facts'], 'reward'>, FactSet>>();

// A host's own catalog is typed the same way.
const shopCatalog = defineFactCatalog({
  product: 'shop',
  events: ['order.paid'],
  facts: {
    'customer.vip': { datatype: 'bool', phases: ['eligibility', 'reward'], description: 'VIP customer.' },
    'order.total': { datatype: 'money', phases: ['reward'], description: 'Order total.' },
    'order.coupon': { datatype: 'string', phases: ['reward'], optional: true, description: 'Coupon code, if any.' },
  },
});
type ShopReward = RewardFactsFor<typeof shopCatalog.facts>;
assertType<Equal<ShopReward['order']['total'], Money>>();
assertType<Equal<ShopReward['order']['coupon'], string | null | undefined>>();

// Program documents are typed: a misspelled operator or reward type does not compile.
const badOperator = {
  ...examplePrograms.kiloPass,
  // @ts-expect-error 'equals' is not an operator
  eligibility: [{ subject: 'referee.is_new_account', operator: 'equals', value: true }],
} satisfies ProgramDocument;
const badReward = {
  ...examplePrograms.kiloPass.rewardRules[0],
  // @ts-expect-error 'bonus' is not a reward type
  reward: { type: 'bonus', amount: 5 },
} satisfies ProgramDocument['rewardRules'][number];

// The generic catalog re-declared under the program's product keeps its literal fact types.
const challenge = compileProgramOrThrow(examplePrograms.challengeRewards, catalogForProduct(lessonsFactCatalog, examplePrograms.challengeRewards.product));
const at = '2025-09-10T00:00:00Z';
const eligibilityFacts = {
  advocate: { user_id: 7, toggles: ['student_challenge_2025'] },
  invitee: { user_id: 8, country: 'US', signed_up_at: at },
  referral: { created_at: new Date(at) },
};

function typedCalls(): [EligibilityEvaluation, RewardEvaluation] {
  const eligibility = challenge.evaluateEligibility(eligibilityFacts, { at });
  // @ts-expect-error user ids of this catalog are ints
  challenge.evaluateEligibility({ ...eligibilityFacts, advocate: { user_id: '7', toggles: [] } }, { at });
  // @ts-expect-error lesson facts do not exist at referral creation
  challenge.evaluateEligibility({ ...eligibilityFacts, lesson: { usd_amount: 40 } }, { at });
  // @ts-expect-error the evaluation instant is required: evaluation never reads a clock
  challenge.evaluateEligibility(eligibilityFacts, {});
  const reward = challenge.evaluateReward(
    'lesson.completed',
    {
      ...eligibilityFacts,
      lesson: { id: 'l', usd_amount: '45.30', duration_minutes: 60, sequence: 1, is_trial: false, completed_at: at },
      event: { sequence: 1 },
    },
    { at },
  );
  return [eligibility, reward];
}

describe('the public API types', () => {
  it('accept the fact sets their catalogs describe', () => {
    const [eligibility, reward] = typedCalls();
    expect(eligibility.code).toBe('eligible');
    expect(reward.grants).toEqual([{ beneficiary: 'referrer', initialStatus: 'earned', reward: { type: 'money', amount: { amountMinor: 566, currency: 'USD' } } }]);
    expect([badOperator, badReward]).toHaveLength(2);
    expect(shopCatalog.events).toEqual(['order.paid']);
  });
});
