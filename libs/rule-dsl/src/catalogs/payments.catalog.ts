import { defineFactCatalog } from '../fact-catalog';

/**
 * Facts of a subscription product billed by payments (the Kilo Pass example). Referral facts exist
 * from referral creation on; subscription, payment and event facts only when a payment event is
 * evaluated, so using them in eligibility is a save-time error.
 */
export const paymentsFactCatalog = defineFactCatalog({
  product: 'payments',
  description: 'A subscription product: referees subscribe to a tier and pay monthly or yearly.',
  events: ['payment.succeeded'],
  facts: {
    now: {
      datatype: 'datetime',
      phases: ['eligibility', 'reward'],
      clock: true,
      description: 'The evaluation instant (the `at` option): referral creation, or the trigger event time.',
    },
    'referral.created_at': {
      datatype: 'datetime',
      phases: ['eligibility', 'reward'],
      description: 'When the referral was created (the referee signed up through the referral link).',
    },
    'referrer.user_id': { datatype: 'string', phases: ['eligibility', 'reward'], description: 'The referrer\'s user id.' },
    'referrer.country': {
      datatype: 'string',
      phases: ['eligibility', 'reward'],
      optional: true,
      description: 'The referrer\'s ISO 3166-1 alpha-2 country, when known.',
    },
    'referrer.rewards_earned': {
      datatype: 'int',
      phases: ['eligibility', 'reward'],
      description: 'How many rewards this referrer has earned in this program so far (the ledger enforces the cap).',
    },
    'referee.user_id': { datatype: 'string', phases: ['eligibility', 'reward'], description: 'The referee\'s user id.' },
    'referee.is_new_account': {
      datatype: 'bool',
      phases: ['eligibility', 'reward'],
      description: 'True when the referee\'s account is brand new (no existing or previously deleted account).',
    },
    'referee.country': {
      datatype: 'string',
      phases: ['eligibility', 'reward'],
      optional: true,
      description: 'The referee\'s ISO 3166-1 alpha-2 country, when known.',
    },
    'referee.email_domain': {
      datatype: 'string',
      phases: ['eligibility', 'reward'],
      optional: true,
      description: 'The domain of the referee\'s verified email address, when verified.',
    },
    'subscription.tier': {
      datatype: 'string',
      phases: ['reward'],
      description: 'The subscribed tier: tier_19, tier_49, tier_199, ...',
    },
    'subscription.interval': { datatype: 'string', phases: ['reward'], description: 'Billing interval: monthly or yearly.' },
    'subscription.kind': {
      datatype: 'string',
      phases: ['reward'],
      description: 'Who owns the subscription: personal or team.',
    },
    'subscription.monthly_price': {
      datatype: 'money',
      phases: ['reward'],
      description: 'The tier\'s undiscounted monthly list price, snapshotted at the payment (tier_49 -> 4900 USD cents).',
    },
    'subscription.started_at': { datatype: 'datetime', phases: ['reward'], description: 'When the subscription started.' },
    'payment.amount': {
      datatype: 'money',
      phases: ['reward'],
      description: 'The amount actually charged (after promotions), in minor units.',
    },
    'payment.sequence': {
      datatype: 'int',
      phases: ['reward'],
      description: '1 for the referee\'s first paid (non-zero) payment, 2 for the second, ...',
    },
    'payment.paid_at': { datatype: 'datetime', phases: ['reward'], description: 'When the payment succeeded.' },
    'event.sequence': {
      datatype: 'int',
      phases: ['reward'],
      description: '1 for the first trigger event of this referral, 2 for the next, ...',
    },
  },
});
